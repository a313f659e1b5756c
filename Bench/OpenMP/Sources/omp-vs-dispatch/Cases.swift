import ConvKit
import Dispatch
import OpenMPRuntime

/// One thing to time under both runtimes.
struct Case {
    let group: String
    let name: String
    /// Floating-point operations of one call (0 for the empty regions).
    let flops: Double
    /// Runs once; `threads` is the thread budget. `runtimeBound` bodies take their runtime from
    /// `Parallel.runtime`; the raw bodies get it as an argument.
    let body: (_ runtime: String, _ threads: Int) throws -> Void
}

enum Cases {
    /// Bare fork/join: an empty region of the raw runtimes, then an empty ConvKit region.
    static func regions() -> [Case] {
        [
            Case(group: "fork/join", name: "raw empty region", flops: 0) { runtime, threads in
                if runtime == "openmp" {
                    ck_omp_empty_region(Int32(threads))
                } else if runtime == "dispatch" {
                    DispatchQueue.concurrentPerform(iterations: threads) { _ in }
                } else if threads >= 2 {
                    Parallel.runtime.runWorkers(threads) { _ in }
                }
            },
            Case(group: "fork/join", name: "ConvKit empty region", flops: 0) { _, threads in
                Parallel.forEach(threads, threads: threads) { _ in }
            },
        ]
    }

    static func gemm(sizes: [Int]) throws -> [Case] {
        var cases: [Case] = []
        let shapes = sizes.map { ("square \($0)", $0, $0, $0) } + [("conv2 fwd 64x10816x288", 64, 10816, 288)]
        for (name, m, n, k) in shapes {
            let a = (0..<(m * k)).map { Float(($0 * 7) % 13) * 0.1 - 0.6 }
            let b = (0..<(k * n)).map { Float(($0 * 5) % 11) * 0.1 - 0.5 }
            let buffers = GEMMBuffers(a: a, b: b, c: [Float](repeating: 0, count: m * n))
            let contexts = try Contexts()
            cases.append(Case(group: "sgemm", name: name, flops: 2 * Double(m * n * k)) { _, threads in
                try buffers.c.withUnsafeMutableBufferPointer { c in
                    try GEMM.sgemm(.noTranspose, .noTranspose, m: m, n: n, k: k, alpha: 1, a: buffers.a, lda: k,
                                   b: buffers.b, ldb: n, beta: 0, c: c.baseAddress, ldc: n, context: try contexts.context(threads))
                }
            })
        }
        return cases
    }

    /// The Keras CIFAR-10 CNN's convolutions at batch 64, every pass (`.auto`), and its last
    /// layer at batch 1 (a tiny call, where fork/join matters most).
    static func convolution() throws -> [Case] {
        var cases: [Case] = []
        // (name, batch, size, input channels, output channels), 3x3 valid.
        let layers = [("conv1", 64, 32, 3, 32), ("conv2", 64, 15, 32, 64), ("conv3", 64, 6, 64, 64), ("conv3 batch 1", 1, 6, 64, 64)]
        let workspace = Workspace()
        for (layer, batch, size, cin, cout) in layers {
            let s = try ConvolutionShape(batch: batch, inputHeight: size, inputWidth: size, inputChannels: cin, outputChannels: cout,
                                         descriptor: ConvolutionDescriptor(kernel: 3))
            let x = (0..<s.inputCount).map { Float(($0 * 7) % 17) * 0.1 - 0.8 }
            let w = (0..<s.weightCount).map { Float(($0 * 3) % 7) * 0.01 - 0.03 }
            let dy = (0..<s.outputCount).map { Float(($0 * 5) % 11) * 0.1 - 0.5 }
            let buffers = ConvBuffers(x: x, w: w, dy: dy, s: s)
            let contexts = try Contexts()
            var convolutions: [Int: Convolution] = [:]
            for t in 1...4 { convolutions[t] = try Convolution(shape: s, algorithm: .auto, context: try contexts.context(t)) }
            for pass in ConvolutionPass.allCases {
                cases.append(Case(group: "conv", name: "\(layer) \(pass.rawValue)", flops: s.flops) { _, threads in
                    guard let conv = convolutions[threads] else { throw CaseError.unsupportedThreads(threads) }
                    switch pass {
                    case .forward:
                        try conv.forward(input: buffers.x, weights: buffers.w, bias: nil, output: &buffers.y, activation: .relu, workspace: workspace)
                    case .backwardData:
                        try conv.backwardData(outputGradient: buffers.dy, weights: buffers.w, inputGradient: &buffers.dx, workspace: workspace)
                    case .backwardWeights:
                        try conv.backwardWeights(input: buffers.x, outputGradient: buffers.dy, weightGradient: &buffers.dw,
                                                 biasGradient: &buffers.db, workspace: workspace)
                    }
                })
            }
        }
        return cases
    }
}

enum CaseError: Error, CustomStringConvertible {
    case unsupportedThreads(Int)
    var description: String {
        switch self { case .unsupportedThreads(let t): return "the convolution cases run on 1 to 4 threads, not \(t)" }
    }
}

final class GEMMBuffers {
    let a: [Float], b: [Float]
    var c: [Float]
    init(a: [Float], b: [Float], c: [Float]) { self.a = a; self.b = b; self.c = c }
}

final class ConvBuffers {
    let x: [Float], w: [Float], dy: [Float]
    var y: [Float], dx: [Float], dw: [Float], db: [Float]
    init(x: [Float], w: [Float], dy: [Float], s: ConvolutionShape) {
        self.x = x; self.w = w; self.dy = dy
        y = [Float](repeating: 0, count: s.outputCount)
        dx = [Float](repeating: 0, count: s.inputCount)
        dw = [Float](repeating: 0, count: s.weightCount)
        db = [Float](repeating: 0, count: s.outputChannels)
    }
}

/// Execution contexts made once per thread count, outside the timed calls.
final class Contexts {
    private var byThreads: [Int: ExecutionContext] = [:]
    init() throws {}
    func context(_ threads: Int) throws -> ExecutionContext {
        if let c = byThreads[threads] { return c }
        let c = try ExecutionContext(threads: threads)
        byThreads[threads] = c
        return c
    }
}
