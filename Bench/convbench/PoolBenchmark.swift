import ArgumentParser
import BenchReport
import ConvKit
import ConvNN

/// `convbench pool`: the Keras CIFAR-10 CNN's pooling layers at batch 64 and a 3x3 stride-2 max
/// and average pool on 112x112x64 (batch 8), forward and backward: time, effective GB/s (bytes
/// read + written) and the machine's copy bandwidth measured in the same run.
struct PoolBenchmark: ParsableCommand, BenchSuite {
    static let configuration = CommandConfiguration(
        commandName: "pool", abstract: "Pooling forward/backward: ms, GB/s, fraction of the measured copy bandwidth.")

    @OptionGroup var options: BenchOptions

    @Option(
        name: .long, parsing: .upToNextOption, help: "Run only the cases whose name starts with one of these (pool1, pool2, 112; comma- or space-separated).")
    var cases: [String] = []

    @Option(
        name: .long, parsing: .upToNextOption,
        help: "Also run the two CIFAR-10 pooling layers at these batch sizes (rows 'pool1 2x2 max b1', ...), default 1,4 ('none': no such rows).")
    var smallBatches: [String] = ["1,4"]

    func run() throws { try measureAndSave() }

    struct Case {
        let name: String
        let shape: PoolingShape
        let isMax: Bool
    }

    static func allCases() throws -> [Case] {
        [
            Case(
                name: "pool1 2x2 max",
                shape: try PoolingShape(
                    batch: 64, inputHeight: 30, inputWidth: 30, channels: 32,
                    descriptor: PoolingDescriptor(window: 2)), isMax: true),
            Case(
                name: "pool2 2x2 max",
                shape: try PoolingShape(
                    batch: 64, inputHeight: 13, inputWidth: 13, channels: 64,
                    descriptor: PoolingDescriptor(window: 2)), isMax: true),
            Case(
                name: "112 3x3/2 max",
                shape: try PoolingShape(
                    batch: 8, inputHeight: 112, inputWidth: 112, channels: 64,
                    descriptor: PoolingDescriptor(window: 3, stride: 2, padding: .same)), isMax: true),
            Case(
                name: "112 3x3/2 avg",
                shape: try PoolingShape(
                    batch: 8, inputHeight: 112, inputWidth: 112, channels: 64,
                    descriptor: PoolingDescriptor(window: 3, stride: 2, padding: .same)), isMax: false),
        ]
    }

    func measure() throws -> [BenchmarkRecord] {
        var selected = try Self.allCases()
        let prefixes = listValues(cases)
        if !prefixes.isEmpty { selected = selected.filter { c in prefixes.contains { c.name.hasPrefix($0) } } }
        for batch in try smallBatchSizes(smallBatches) {
            selected += try Self.allCases().prefix(2).map { c in
                let s = c.shape
                return Case(
                    name: "\(c.name) b\(batch)",
                    shape: try PoolingShape(
                        batch: batch, inputHeight: s.inputHeight, inputWidth: s.inputWidth, channels: s.channels,
                        descriptor: s.descriptor, layout: s.layout), isMax: c.isMax)
            }
        }
        guard !selected.isEmpty else { throw ValidationError("--cases \(cases) matches none of \(try Self.allCases().map(\.name))") }
        let isa = try options.isaLevel()
        var records: [BenchmarkRecord] = []
        print("columns: GB/s = (input + output + indices bytes) / time; %copy = GB/s / the copy bandwidth measured before the rows")
        print("case            pass      thr        ms     GB/s  %copy")
        for t in options.threadCounts {
            let copy = CopyBandwidth.measure(threads: t)
            print(String(format: "-- %d thread(s): copy bandwidth %.1f GB/s (64 MiB buffers)", t, copy))
            let context = try ExecutionContext(threads: t, isa: isa)
            for c in selected {
                let s = c.shape
                var generator = SplitMix64(seed: 3)
                let x = (0..<s.inputCount).map { _ in Float.random(in: -1...1, using: &generator) }
                let dy = (0..<s.outputCount).map { _ in Float.random(in: -1...1, using: &generator) }
                var y = [Float](repeating: 0, count: s.outputCount)
                var dx = [Float](repeating: 0, count: s.inputCount)
                var indices: [Int32]? = [Int32](repeating: 0, count: s.outputCount)
                let maxPool = try MaxPooling(shape: s, context: context)
                let avgPool = try AveragePooling(shape: s, context: context)
                if c.isMax { try maxPool.forward(input: x, output: &y, indices: &indices) }
                let idx = indices!
                // Bytes: the input and the output, plus the argmax indices (4 bytes each) for max pooling.
                let bytes = 4 * (s.inputCount + s.outputCount * (c.isMax ? 2 : 1))
                for (pass, body) in [
                    (
                        "forward",
                        {
                            if c.isMax { try maxPool.forward(input: x, output: &y, indices: &indices) } else { try avgPool.forward(input: x, output: &y) }
                        }
                    ),
                    (
                        "backward",
                        {
                            if c.isMax {
                                try maxPool.backward(outputGradient: dy, indices: idx, inputGradient: &dx)
                            } else {
                                try avgPool.backward(outputGradient: dy, inputGradient: &dx)
                            }
                        }
                    ),
                ] as [(String, () throws -> Void)] {
                    let sample = try options.timing.measure(body)
                    let seconds = sample.median
                    let gbs = Double(bytes) / seconds * 1e-9
                    records.append(
                        BenchmarkRecord(
                            suite: "pool", name: c.name, variant: pass, threads: t, isa: isa.rawValue, milliseconds: seconds * 1e3,
                            bestMilliseconds: sample.best * 1e3, value: gbs, unit: "GB/s", peak: copy,
                            runs: sample.runs, note: "\(s.batch)x\(s.inputHeight)x\(s.inputWidth)x\(s.channels) NHWC"))
                    print(
                        String(
                            format: "%@ %@ %3d %9.3f %8.1f %6.1f", c.name.padding(toLength: 15, withPad: " ", startingAt: 0),
                            pass.padding(toLength: 9, withPad: " ", startingAt: 0), t, seconds * 1e3, gbs, 100 * gbs / copy))
                }
            }
        }
        return records
    }
}
