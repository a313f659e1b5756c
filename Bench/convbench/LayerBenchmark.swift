import ArgumentParser
import BenchReport
import ConvKit
import ConvNN

/// `convbench layers`: the course toolbox's kernels on the Keras CIFAR-10 CNN's tensors.
/// - Each activation's forward + backward on the conv1 output (64x30x30x32, NHWC; softmax over
///   the 32 channels), in GB/s (forward reads x and writes y, backward reads y and dy and writes
///   dx: 20 bytes per element) against the copy bandwidth measured in the same run.
/// - BatchNormalization's training forward + backward on the conv2 output (64x13x13x64), run as
///   ``ConvNN/Sequential`` runs it (the batch in slices across the threads, statistics gathered per
///   slice and combined), against conv2's forward + backward (data and weights) run the same way:
///   the row's "compared with" is the convolution, and its note the BN/convolution time ratio.
struct LayerBenchmark: ParsableCommand, BenchSuite {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "Activations (GB/s, fraction of copy bandwidth) and batch normalization (time against its convolution).")

    @OptionGroup var options: BenchOptions

    func run() throws { try measureAndSave() }

    static let activations: [Activation] = [.relu, .sigmoid, .tanh, .leakyReLU, .elu, .softplus, .softmax]

    func measure() throws -> [BenchmarkRecord] {
        let isa = try options.isaLevel()
        var records: [BenchmarkRecord] = []
        print("columns: GB/s = 20 bytes per element / (forward + backward time); %copy = GB/s / copy bandwidth of the same run")
        print("case                  thr        ms     GB/s  %copy")
        let count = 64 * 30 * 30 * 32
        var g = SplitMix64(seed: 1)
        let x = (0..<count).map { _ in Float.random(in: -4...4, using: &g) }
        let dy = (0..<count).map { _ in Float.random(in: -1...1, using: &g) }
        var y = [Float](repeating: 0, count: count), dx = [Float](repeating: 0, count: count)
        for t in options.threadCounts {
            let copy = CopyBandwidth.measure(threads: t)
            print(String(format: "-- %d thread(s): copy bandwidth %.1f GB/s (64 MiB buffers)", t, copy))
            let context = try ExecutionContext(threads: t, isa: isa)
            for a in Self.activations {
                let sample = try options.timing.measure {
                    try x.withUnsafeBufferPointer { xp in
                        try y.withUnsafeMutableBufferPointer { try ActivationKernel.forward(a, xp, into: $0, channels: 32, context: context) }
                    }
                    try y.withUnsafeBufferPointer { yp in
                        try dy.withUnsafeBufferPointer { dyp in
                            try dx.withUnsafeMutableBufferPointer {
                                try ActivationKernel.backward(a, output: yp, outputGradient: dyp, inputGradient: $0, channels: 32, context: context)
                            }
                        }
                    }
                }
                let gbs = Double(20 * count) / sample.median * 1e-9
                let name = "\(a.rawValue) conv1"
                records.append(
                    BenchmarkRecord(
                        suite: "layers", name: name, variant: "fwd+bwd", threads: t, isa: isa.rawValue,
                        milliseconds: sample.median * 1e3, bestMilliseconds: sample.best * 1e3, value: gbs, unit: "GB/s",
                        peak: copy, runs: sample.runs, note: "64x30x30x32 NHWC"))
                print(
                    String(
                        format: "%@ %3d %9.3f %8.1f %6.1f", name.padding(toLength: 21, withPad: " ", startingAt: 0), t,
                        sample.median * 1e3, gbs, 100 * gbs / copy))
            }
            records.append(try batchNormalization(threads: t, isa: isa))
        }
        return records
    }

    /// BatchNormalization against conv2, both per slice of the batch as in training.
    func batchNormalization(threads t: Int, isa: ISA) throws -> BenchmarkRecord {
        let batch = 64, slices = Sequential.sliceCount(batch: batch), per = batch / slices
        let single = try ExecutionContext(threads: 1, isa: isa)
        let shape = try ConvolutionShape(
            batch: per, inputHeight: 15, inputWidth: 15, inputChannels: 32, outputChannels: 64,
            descriptor: ConvolutionDescriptor(kernel: 3))
        let conv = try Convolution(shape: shape, context: single)
        let workspaces = try (0..<slices).map { _ in try Workspace(capacity: ConvolutionPass.allCases.map { conv.workspaceCount(for: $0) }.max()!) }
        var g = SplitMix64(seed: 2)
        func random(_ n: Int) -> UnsafeMutableBufferPointer<Float> {
            let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
            for i in 0..<n { b[i] = Float.random(in: -1...1, using: &g) }
            return b
        }
        let inputs = random(slices * shape.inputCount), weights = random(shape.weightCount), bias = random(64)
        let outputs = random(slices * shape.outputCount), gradients = random(slices * shape.outputCount)
        let inputGradients = random(slices * shape.inputCount), weightGradients = random(slices * shape.weightCount)
        let biasGradients = random(slices * 64)
        let c = 64, rows = shape.outputCount / c
        let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: slices * 2 * c)
        let floats = random(7 * c)
        defer {
            for b in [inputs, weights, bias, outputs, gradients, inputGradients, weightGradients, biasGradients, floats] { b.deallocate() }
            sums.deallocate()
        }
        func part<T>(_ b: UnsafeMutableBufferPointer<T>, _ k: Int, _ n: Int) -> UnsafeMutableBufferPointer<T> {
            UnsafeMutableBufferPointer(rebasing: b[(k * n)..<((k + 1) * n)])
        }
        func row(_ i: Int) -> UnsafeBufferPointer<Float> { UnsafeBufferPointer(part(floats, i, c)) }
        let n = shape.outputCount
        func combine() {
            for j in 0..<c {
                var s = 0.0
                for k in 0..<slices { s += sums[k * 2 * c + j] }
                floats[j] = Float(s / Double(rows * slices))
            }
        }
        let convolution = try options.timing.measure {
            Parallel.forEach(slices, threads: t) { k in
                let x = UnsafeBufferPointer(part(inputs, k, shape.inputCount)), dyk = UnsafeBufferPointer(part(gradients, k, n))
                try! conv.forward(
                    input: x, weights: UnsafeBufferPointer(weights), bias: UnsafeBufferPointer(bias), output: part(outputs, k, n), workspace: workspaces[k])
                try! conv.backwardWeights(
                    input: x, outputGradient: dyk, weightGradient: part(weightGradients, k, shape.weightCount),
                    biasGradient: part(biasGradients, k, 64), workspace: workspaces[k])
                try! conv.backwardData(
                    outputGradient: dyk, weights: UnsafeBufferPointer(weights), inputGradient: part(inputGradients, k, shape.inputCount),
                    workspace: workspaces[k])
            }
        }
        let normalization = try options.timing.measure {
            Parallel.forEach(slices, threads: t) { k in
                let s = part(sums, k, 2 * c)
                s.update(repeating: 0)
                try! BatchNormalizationKernels.accumulateMoments(
                    UnsafeBufferPointer(part(outputs, k, n)), channels: c, shift: row(0), sum: part(s, 0, c), sumSquares: part(s, 1, c),
                    context: single)
            }
            combine()
            Parallel.forEach(slices, threads: t) { k in
                try! BatchNormalizationKernels.scaleShift(
                    UnsafeBufferPointer(part(outputs, k, n)), into: part(gradients, k, n), scale: row(2), shift: row(3), context: single)
            }
            Parallel.forEach(slices, threads: t) { k in
                let s = part(sums, k, 2 * c)
                s.update(repeating: 0)
                try! BatchNormalizationKernels.accumulateBackwardSums(
                    x: UnsafeBufferPointer(part(outputs, k, n)), outputGradient: UnsafeBufferPointer(part(gradients, k, n)),
                    mean: row(0), sumDy: part(s, 0, c), sumDyCentered: part(s, 1, c), context: single)
            }
            combine()
            Parallel.forEach(slices, threads: t) { k in
                try! BatchNormalizationKernels.backwardData(
                    x: UnsafeBufferPointer(part(outputs, k, n)), outputGradient: UnsafeBufferPointer(part(gradients, k, n)),
                    into: part(gradients, k, n), mean: row(0), inverseStd: row(1), gain: row(4), meanDy: row(5), meanDyXhat: row(6),
                    context: single)
            }
        }
        let ratio = normalization.median / convolution.median
        print(
            String(
                format: "batchnorm conv2 fwd+bwd %3d %9.3f ms; conv2 fwd+bwd %.3f ms; BN / conv %.1f%%", t, normalization.median * 1e3,
                convolution.median * 1e3, 100 * ratio))
        let bytes = Double(4 * n * slices * 7)  // read x twice, dy twice; write y, dy-bar (in place) and dx
        return BenchmarkRecord(
            suite: "layers", name: "batchnorm conv2", variant: "fwd+bwd", threads: t, isa: isa.rawValue,
            milliseconds: normalization.median * 1e3, bestMilliseconds: normalization.best * 1e3,
            value: bytes / normalization.median * 1e-9, unit: "GB/s", peak: nil,
            comparison: Comparison(
                name: "conv2 fwd+bwd", milliseconds: convolution.median * 1e3, speedup: convolution.median / normalization.median,
                measuredInSameRun: true),
            runs: normalization.runs, note: String(format: "64x13x13x64 NHWC, %d slices; BN / conv2 = %.1f%%", slices, 100 * ratio))
    }
}
