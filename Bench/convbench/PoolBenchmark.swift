import ArgumentParser
import ConvKit
import ConvNN
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `convbench pool`: the Keras CIFAR-10 CNN's pooling layers at batch 64 and a 3x3 stride-2 max
/// and average pool on 112x112x64 (batch 8), forward and backward: time, effective GB/s (bytes
/// read + written) and the machine's copy bandwidth measured in the same run.
struct PoolBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool", abstract: "Pooling forward/backward: ms, GB/s, fraction of the measured copy bandwidth.")

    @OptionGroup var threadCounts: ThreadCounts
    var threads: [Int] { threadCounts.values }

    @Option(name: .long, help: "Seconds of timing per row.")
    var budget: Double = 0.3

    struct Case {
        let name: String
        let shape: PoolingShape
        let isMax: Bool
        /// PyTorch 2.13 channels_last forward / backward ms at 2 threads (from the issue).
        let pytorch: (Double, Double)?
    }

    func run() throws {
        let cases = [
            Case(name: "pool1 2x2 max", shape: try PoolingShape(batch: 64, inputHeight: 30, inputWidth: 30, channels: 32,
                                                                 descriptor: PoolingDescriptor(window: 2)), isMax: true, pytorch: (0.25, 0.17)),
            Case(name: "pool2 2x2 max", shape: try PoolingShape(batch: 64, inputHeight: 13, inputWidth: 13, channels: 64,
                                                                 descriptor: PoolingDescriptor(window: 2)), isMax: true, pytorch: (0.062, 0.063)),
            Case(name: "112 3x3/2 max", shape: try PoolingShape(batch: 8, inputHeight: 112, inputWidth: 112, channels: 64,
                                                                 descriptor: PoolingDescriptor(window: 3, stride: 2, padding: .same)), isMax: true, pytorch: nil),
            Case(name: "112 3x3/2 avg", shape: try PoolingShape(batch: 8, inputHeight: 112, inputWidth: 112, channels: 64,
                                                                 descriptor: PoolingDescriptor(window: 3, stride: 2, padding: .same)), isMax: false, pytorch: nil),
        ]
        print("case            pass      thr        ms     GB/s  %copy  PyTorch ms  vs PyTorch")
        for t in threads {
            let copy = copyBandwidth(threads: t)
            print(String(format: "-- %d thread(s): copy bandwidth %.1f GB/s (64 MiB buffers)", t, copy))
            let context = try ExecutionContext(threads: t)
            for c in cases {
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
                for (pass, bytes, body) in [
                    ("forward", 4 * (s.inputCount + s.outputCount * (c.isMax ? 2 : 1)), {
                        if c.isMax { try maxPool.forward(input: x, output: &y, indices: &indices) } else { try avgPool.forward(input: x, output: &y) }
                    }),
                    ("backward", 4 * (s.inputCount + s.outputCount * (c.isMax ? 2 : 1)), {
                        if c.isMax { try maxPool.backward(outputGradient: dy, indices: idx, inputGradient: &dx) } else { try avgPool.backward(outputGradient: dy, inputGradient: &dx) }
                    }),
                ] as [(String, Int, () throws -> Void)] {
                    let seconds = try Stopwatch.median(minRuns: 10, budget: budget, body)
                    let gbs = Double(bytes) / seconds * 1e-9
                    let reference = c.pytorch.map { pass == "forward" ? $0.0 : $0.1 }
                    let refText = (t == 2 ? reference : nil).map { String(format: "%10.3f  %9.2fx", $0, $0 / (seconds * 1e3)) } ?? "         -          -"
                    print(String(format: "%@ %@ %3d %9.3f %8.1f %6.1f  %@", c.name.padding(toLength: 15, withPad: " ", startingAt: 0),
                                 pass.padding(toLength: 9, withPad: " ", startingAt: 0), t, seconds * 1e3, gbs, 100 * gbs / copy, refText))
                }
            }
        }
    }

    /// GB/s (read + write) of `threads` threads each copying its half of 64 MiB buffers with memcpy.
    func copyBandwidth(threads: Int) -> Double {
        let count = 16 << 20
        let src = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let dst = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { src.deallocate(); dst.deallocate() }
        src.initialize(repeating: 1, count: count)
        dst.initialize(repeating: 0, count: count)
        let box = UnsafeSendablePointers(src: src, dst: dst)
        let seconds = Stopwatch.median(minRuns: 5, budget: 0.3) {
            Parallel.forEach(threads, threads: threads) { i in
                let lo = i * count / threads, hi = (i + 1) * count / threads
                memcpy(box.dst + lo, box.src + lo, (hi - lo) * 4)
            }
        }
        return Double(2 * count * 4) / seconds * 1e-9
    }
}

private struct UnsafeSendablePointers: @unchecked Sendable {
    let src: UnsafeMutablePointer<Float>
    let dst: UnsafeMutablePointer<Float>
}
