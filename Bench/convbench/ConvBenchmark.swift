import ArgumentParser
import BenchReport
import BenchSupport
import ConvKit
import ConvNN
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `convbench conv`: every pass and algorithm of the Keras CIFAR-10 CNN's convolutions at batch 64
/// (plus a 56x56 3x3 same layer, a 1x1 layer and a stride-2 layer at batch 8), 1 and 2 threads:
/// ms, GFLOP/s and % of the FMA ceiling measured in the same run. Same-run comparisons with
/// oneDNN (through PyTorch) are made by `Bench/frameworks/torch_reference.py` and `compare.py`.
struct ConvBenchmark: ParsableCommand, BenchSuite {
    static let configuration = CommandConfiguration(
        commandName: "conv", abstract: "Convolution passes: ms, GFLOP/s, % of the FMA ceiling measured in the same run.")

    @OptionGroup var options: BenchOptions

    @Option(name: .long, parsing: .upToNextOption, help: "Algorithms: auto, direct, im2col (comma- or space-separated).")
    var algorithms: [String] = ["auto", "direct", "im2col"]

    @Option(name: .long, parsing: .upToNextOption, help: "Passes: forward, backwardData, backwardWeights (comma- or space-separated).")
    var passes: [String] = ConvolutionPass.allCases.map(\.rawValue)

    @Option(name: .long, help: "Run only this problem, in the one-line form tests print, e.g. 'n64 h15 w15 c32 o64 k3x3 s1x1 d1x1 valid g1 nhwc'.")
    var problem: String?

    @Flag(name: .long, help: "Only the three CIFAR-10 layers.")
    var cifarOnly = false

    @Option(
        name: .long, parsing: .upToNextOption,
        help:
            "Also run the three CIFAR-10 layers at these batch sizes (rows 'conv1 b1', ...), default 1,4 ('none': no such rows): small passes must not get slower on more threads."
    )
    var smallBatches: [String] = ["1,4"]

    func run() throws { try measureAndSave() }

    struct Layer {
        let name: String
        let shape: ConvolutionShape
    }

    static func layers() throws -> [Layer] {
        func s(_ text: String) throws -> ConvolutionShape { try ConvolutionShape(parsing: text) }
        return [
            Layer(name: "conv1", shape: try s("n64 h32 w32 c3 o32 k3x3")),
            Layer(name: "conv2", shape: try s("n64 h15 w15 c32 o64 k3x3")),
            Layer(name: "conv3", shape: try s("n64 h6 w6 c64 o64 k3x3")),
            Layer(name: "56x56 same", shape: try s("n8 h56 w56 c64 o64 k3x3 same")),
            Layer(name: "1x1", shape: try s("n8 h28 w28 c128 o128 k1x1")),
            Layer(name: "stride 2", shape: try s("n8 h56 w56 c64 o128 k3x3 s2x2 same")),
        ]
    }

    func measure() throws -> [BenchmarkRecord] {
        let isaLevel = try options.isaLevel()
        var layers = try Self.layers()
        if cifarOnly { layers = Array(layers.prefix(3)) }
        for batch in try smallBatchSizes(smallBatches) {
            layers += try Self.layers().prefix(3).map { l in
                let s = l.shape
                return Layer(
                    name: "\(l.name) b\(batch)",
                    shape: try ConvolutionShape(
                        batch: batch, inputHeight: s.inputHeight, inputWidth: s.inputWidth, inputChannels: s.inputChannels,
                        outputChannels: s.outputChannels, descriptor: s.descriptor, layout: s.layout))
            }
        }
        if let problem { layers = [Layer(name: "problem", shape: try ConvolutionShape(parsing: problem))] }
        let algos = try listValues(algorithms).map { name -> ConvolutionAlgorithm in
            guard let a = ConvolutionAlgorithm(rawValue: name), a != .reference else { throw ValidationError("unknown algorithm '\(name)'") }
            return a
        }
        let passList = try listValues(passes).map { name -> ConvolutionPass in
            guard let p = ConvolutionPass(rawValue: name) else { throw ValidationError("unknown pass '\(name)'") }
            return p
        }
        let table = KernelTable.resolve(isaLevel)
        print("convbench conv: kernels \(table)")
        print("columns: chosen = the algorithm auto picked; %ceil = GFLOP/s / the FMA ceiling measured before the layer's rows")
        print("layer       pass             algo    chosen  thr        ms    GFLOP/s  %ceil")
        var records: [BenchmarkRecord] = []
        let workspace = Workspace()
        for t in options.threadCounts {
            let context = try ExecutionContext(threads: t, isa: isaLevel)
            for layer in layers {
                // The host's speed drifts: each layer's rows use a ceiling measured just before them.
                let ceiling = FMACeiling.measure(isa: table.isa, threads: t)
                print(String(format: "-- %@, %d thread(s): FMA ceiling %.1f GFLOP/s", layer.name, t, ceiling))
                let s = layer.shape
                var generator = SplitMix64(seed: 42)
                let x = (0..<s.inputCount).map { _ in Float.random(in: -1...1, using: &generator) }
                let w = (0..<s.weightCount).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
                let b = (0..<s.outputChannels).map { _ in Float.random(in: -0.1...0.1, using: &generator) }
                let dy = (0..<s.outputCount).map { _ in Float.random(in: -1...1, using: &generator) }
                var y = [Float](repeating: 0, count: s.outputCount)
                var dx = [Float](repeating: 0, count: s.inputCount)
                var dw = [Float](repeating: 0, count: s.weightCount)
                var db = [Float](repeating: 0, count: s.outputChannels)
                for pass in passList {
                    for algorithm in algos {
                        let conv = try Convolution(shape: s, algorithm: algorithm, context: context)
                        let body: () throws -> Void
                        switch pass {
                        case .forward:
                            body = { try conv.forward(input: x, weights: w, bias: b, output: &y, activation: .relu, workspace: workspace) }
                        case .backwardData:
                            body = { try conv.backwardData(outputGradient: dy, weights: w, inputGradient: &dx, workspace: workspace) }
                        case .backwardWeights:
                            body = { try conv.backwardWeights(input: x, outputGradient: dy, weightGradient: &dw, biasGradient: &db, workspace: workspace) }
                        }
                        let sample = try options.timing.measure(body)
                        let seconds = sample.median
                        let gflops = s.flops / seconds * 1e-9
                        let chosen = conv.algorithm(for: pass).rawValue
                        records.append(
                            BenchmarkRecord(
                                suite: "conv", name: layer.name, variant: "\(pass.rawValue) \(algorithm.rawValue)", threads: t,
                                isa: isaLevel.rawValue, milliseconds: seconds * 1e3, bestMilliseconds: sample.best * 1e3, value: gflops, unit: "GFLOP/s",
                                peak: ceiling,
                                runs: sample.runs, note: "\(s.description)" + (algorithm == .auto ? "; chose \(chosen)" : "")))
                        print(
                            String(
                                format: "%@ %@ %@ %@ %3d %9.3f %10.1f %6.1f",
                                layer.name.padding(toLength: 11, withPad: " ", startingAt: 0),
                                pass.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0),
                                algorithm.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0),
                                chosen.padding(toLength: 7, withPad: " ", startingAt: 0),
                                t, seconds * 1e3, gflops, 100 * gflops / ceiling))
                    }
                }
            }
        }
        return records
    }
}
