import ArgumentParser
import BenchReport
import ConvKit
import ConvNN
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `convbench gemm`: SGEMM GFLOP/s against the FMA ceiling measured in the same run, and against
/// a CBLAS loaded at run time (OpenBLAS by default) on the same shapes, timed alternately.
struct GEMMBenchmark: ParsableCommand, BenchSuite {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Time SGEMM on square and CIFAR-10 conv-shaped problems against OpenBLAS.")

    @OptionGroup var options: BenchOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Square sizes M = N = K, comma- or space-separated.")
    var sizes: [String] = ["64,128,256,512,1024,1536,2048"]

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Extra problems, comma- or space-separated, each [NN|NT|TN|TT:]MxNxK (e.g. NT:64x288x10816; default NN).")
    var shapes: [String] = []

    @Flag(name: .long, help: "Skip the conv-shaped problems.")
    var noConv = false

    @Flag(name: .long, help: "Skip the square problems.")
    var noSquare = false

    @Option(name: .long, help: "Run only the problems whose label contains this text (e.g. 'conv2', 'bwd-weights').")
    var only: String?

    @Option(name: .long, help: "CBLAS library to compare with (path or soname); 'none' to skip.")
    var cblas: String?

    @Option(
        name: .long,
        help:
            "OPENBLAS_CORETYPE set before loading OpenBLAS: 'best' (SkylakeX with AVX-512, else Haswell, OpenBLAS's fastest kernels on such CPUs), a core name, or 'env' to keep the shell's value."
    )
    var openblasCoretype = "best"

    @Option(name: .long, help: "Seconds to pause before each block of ConvKit runs, after CBLAS runs.")
    var settle = 0.25

    @Option(name: .long, help: "Pin ConvKit's GEMM microkernel by name (e.g. ck_f32_gemm_8x32__avx512); default: chosen by ISA and rows.")
    var kernel: String?

    func run() throws { try measureAndSave() }

    struct Problem {
        let label: String
        let transA: Transpose, transB: Transpose
        let m: Int, n: Int, k: Int
        var isSquare: Bool { label.hasPrefix("square") }
    }

    /// The conv-shaped GEMMs of the Keras CIFAR-10 CNN at batch 64 (M x N x K), forward and the
    /// two backward passes (backward-data: transposed weights; backward-weights: transposed columns).
    static let convProblems: [Problem] = [
        Problem(label: "conv1 fwd", transA: .noTranspose, transB: .noTranspose, m: 32, n: 57600, k: 27),
        Problem(label: "conv2 fwd", transA: .noTranspose, transB: .noTranspose, m: 64, n: 10816, k: 288),
        Problem(label: "conv3 fwd", transA: .noTranspose, transB: .noTranspose, m: 64, n: 1024, k: 576),
        Problem(label: "conv1 bwd-data", transA: .transpose, transB: .noTranspose, m: 27, n: 57600, k: 32),
        Problem(label: "conv2 bwd-data", transA: .transpose, transB: .noTranspose, m: 288, n: 10816, k: 64),
        Problem(label: "conv3 bwd-data", transA: .transpose, transB: .noTranspose, m: 576, n: 1024, k: 64),
        Problem(label: "conv1 bwd-weights", transA: .noTranspose, transB: .transpose, m: 32, n: 27, k: 57600),
        Problem(label: "conv2 bwd-weights", transA: .noTranspose, transB: .transpose, m: 64, n: 288, k: 10816),
        Problem(label: "conv3 bwd-weights", transA: .noTranspose, transB: .transpose, m: 64, n: 576, k: 1024),
    ]

    /// `[NN|NT|TN|TT:]MxNxK` as a problem labelled with the text itself.
    static func parseShape(_ text: String) throws -> Problem {
        let parts = text.split(separator: ":")
        let ops = parts.count == 2 ? String(parts[0]).uppercased() : "NN"
        let dims = (parts.last ?? "").split(separator: "x").compactMap { Int($0) }
        guard parts.count <= 2, ops.count == 2, ops.allSatisfy({ $0 == "N" || $0 == "T" }), dims.count == 3,
            dims.allSatisfy({ $0 > 0 })
        else {
            throw ValidationError("--shapes: '\(text)' is not [NN|NT|TN|TT:]MxNxK with positive sizes (e.g. NT:64x288x10816)")
        }
        let op = { (c: Character) -> Transpose in c == "T" ? .transpose : .noTranspose }
        return Problem(label: text, transA: op(ops.first!), transB: op(ops.last!), m: dims[0], n: dims[1], k: dims[2])
    }

    func measure() throws -> [BenchmarkRecord] {
        let pinned = try kernel.map { name in
            let available = KernelTable.available.flatMap(\.gemm)
            guard let k = available.first(where: { $0.name == name }) else {
                throw ValidationError(
                    "--kernel \(name) is not an available kernel here; available: "
                        + available.map(\.name).joined(separator: ", "))
            }
            return k
        }
        let isaKernel = KernelTable.resolve(try options.isaLevel()).primaryGEMM
        let kernel = pinned ?? isaKernel
        if openblasCoretype == "best" {
            setenv("OPENBLAS_CORETYPE", ISA.avx512.isSupported ? "SkylakeX" : "Haswell", 1)
        } else if openblasCoretype != "env" {
            setenv("OPENBLAS_CORETYPE", openblasCoretype, 1)
        }
        let library: CBLASLibrary? = cblas == "none" ? nil : CBLASLibrary.load(cblas.map { [$0] } ?? CBLASLibrary.candidates)
        let comparisonName = library.map { lib in
            lib.path.contains("openblas") ? "OpenBLAS (\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "auto"))" : lib.path
        }
        print(
            "convbench gemm: kernels \(pinned?.name ?? "of \(kernel.isa.rawValue) by rows"); ISAs here: \(ISA.supported.map(\.rawValue).joined(separator: ","))"
        )
        if let library, let comparisonName {
            print("compare: \(library.path) cblas_sgemm as \(comparisonName), timed alternately with ConvKit")
        } else if cblas != "none" {
            print("compare: no CBLAS library could be loaded (looked for \(cblas ?? CBLASLibrary.candidates.joined(separator: ", ")))")
        }

        var problems: [Problem] = []
        if !noSquare {
            problems += try listIntegers(sizes, option: "sizes").map {
                Problem(label: "square \($0)", transA: .noTranspose, transB: .noTranspose, m: $0, n: $0, k: $0)
            }
        }
        if !noConv { problems += GEMMBenchmark.convProblems }
        problems += try shapes.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }) }.map { try GEMMBenchmark.parseShape(String($0)) }
        if let only { problems = problems.filter { $0.label.contains(only) } }

        print(
            "columns: op = transposes of A and B (N, T); ceil = FMA ceiling (GFLOP/s) measured before the row; %ceil = GFLOP/s / ceil;"
                + (library == nil ? "" : " speedup = cblas ms / ConvKit ms (same run);")
                + " tile = MR x NR of the microkernel, \"A\" = A read in place (row-major-A variant), not packed")
        print(
            pad("shape", 18) + pad("op", 3) + pad("M x N x K", 17) + pad("thr", 4) + pad("ceil", 7) + pad("ms", 9)
                + pad("GFLOP/s", 9) + pad("%ceil", 7) + (library == nil ? "" : pad("cblas ms", 9) + pad("GFLOP/s", 9) + pad("speedup", 8)) + "tile")
        var records: [BenchmarkRecord] = []
        for problem in problems {
            let bench = try ProblemBuffers(problem)
            // "8x32 A" when A is read in place (the kernel's row-major-A variant), not packed.
            let plan = try GEMM.describe(
                problem.transA, problem.transB, m: problem.m, n: problem.n, k: problem.k,
                context: ExecutionContext(threads: 1, isa: kernel.isa, gemmKernel: pinned))
            let tile = plan.kernel
            let tileLabel = "\(tile.mr)x\(tile.nr)" + (plan.readsAInPlace ? " A" : "")
            try bench.checkAgainst(library: library, context: try ExecutionContext(threads: 1, isa: kernel.isa, gemmKernel: pinned))
            for t in options.threadCounts {
                let context = try ExecutionContext(threads: t, isa: kernel.isa, gemmKernel: pinned)
                // The host's clock drifts during a run, so the ceiling is measured again before every
                // row and each row's "% of ceiling" uses the ceiling of its own moment.
                let ceiling = FMACeiling.measure(kernel: kernel, threads: t)
                let flops = 2.0 * Double(problem.m) * Double(problem.n) * Double(problem.k)
                let sample: Sample
                var comparison: Comparison?
                if let library, let comparisonName {
                    library.setThreads?(Int32(t))
                    let (mine, theirs) = try options.timing.alternating(
                        settle: settle, { try bench.runConvKit(context) },
                        { bench.runCBLAS(library) })
                    sample = mine
                    comparison = Comparison(
                        name: comparisonName, milliseconds: theirs.median * 1e3, speedup: theirs.median / mine.median,
                        measuredInSameRun: true)
                } else {
                    sample = try options.timing.measure { try bench.runConvKit(context) }
                }
                let time = sample.median
                let gflops = flops / time * 1e-9
                let record = BenchmarkRecord(
                    suite: "gemm", name: problem.label, variant: "\(problem.transA)\(problem.transB)",
                    threads: t, isa: kernel.isa.rawValue, size: problem.isSquare ? problem.m : nil,
                    milliseconds: time * 1e3, bestMilliseconds: sample.best * 1e3, value: gflops, unit: "GFLOP/s",
                    peak: ceiling, comparison: comparison, runs: sample.runs,
                    note: "\(problem.m)x\(problem.n)x\(problem.k) \(tile.name)\(tileLabel.hasSuffix(" A") ? ", A in place" : "")")
                records.append(record)
                var line = pad(problem.label, 18) + pad(record.variant, 3) + pad("\(problem.m)x\(problem.n)x\(problem.k)", 17) + pad("\(t)", 4)
                line += pad(String(format: "%.0f", ceiling), 7)
                line += pad(String(format: "%.3f", record.milliseconds), 9) + pad(String(format: "%.1f", gflops), 9)
                line += pad(String(format: "%.1f", 100 * gflops / ceiling), 7)
                if let c = comparison {
                    line +=
                        pad(String(format: "%.3f", c.milliseconds), 9) + pad(String(format: "%.1f", flops / c.milliseconds * 1e-6), 9)
                        + pad(String(format: "%.2fx", c.speedup), 8)
                }
                print(line + tileLabel)
            }
        }
        return records
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }
}

/// The operands of one benchmark problem, filled with uniform random values in [-1, 1].
final class ProblemBuffers {
    let problem: GEMMBenchmark.Problem
    let lda: Int, ldb: Int, ldc: Int
    var a: [Float], b: [Float], c: [Float]

    init(_ p: GEMMBenchmark.Problem) throws {
        problem = p
        lda = p.transA == .noTranspose ? p.k : p.m
        ldb = p.transB == .noTranspose ? p.n : p.k
        ldc = p.n
        var generator = SplitMix64(seed: UInt64(p.m * 1_000_003 + p.n * 1009 + p.k))
        a = (0..<(p.m * p.k)).map { _ in Float.random(in: -1...1, using: &generator) }
        b = (0..<(p.k * p.n)).map { _ in Float.random(in: -1...1, using: &generator) }
        c = [Float](repeating: 0, count: p.m * p.n)
    }

    func runConvKit(_ context: ExecutionContext) throws {
        let p = problem
        try a.withUnsafeBufferPointer { a in
            try b.withUnsafeBufferPointer { b in
                try c.withUnsafeMutableBufferPointer { c in
                    try GEMM.sgemm(
                        p.transA, p.transB, m: p.m, n: p.n, k: p.k, alpha: 1, a: a.baseAddress, lda: lda,
                        b: b.baseAddress, ldb: ldb, beta: 0, c: c.baseAddress, ldc: ldc, context: context)
                }
            }
        }
    }

    func runCBLAS(_ library: CBLASLibrary) {
        let p = problem
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    library.callSGEMM(
                        p.transA == .transpose, p.transB == .transpose, m: p.m, n: p.n, k: p.k, alpha: 1,
                        a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: 0,
                        c: c.baseAddress!, ldc: ldc)
                }
            }
        }
    }

    /// Sanity check that the timed code computes the product: ConvKit against the CBLAS result.
    func checkAgainst(library: CBLASLibrary?, context: ExecutionContext) throws {
        guard let library else { return }
        try runConvKit(context)
        let ours = c
        runCBLAS(library)
        var worst: Float = 0, scale: Float = 1e-30
        for i in 0..<c.count {
            worst = max(worst, abs(ours[i] - c[i]))
            scale = max(scale, abs(c[i]))
        }
        if worst / scale > 1e-4 {
            print("WARNING: \(problem.label): ConvKit and CBLAS differ by \(worst) (max |C| \(scale))")
        }
    }
}
