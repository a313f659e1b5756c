import ArgumentParser
import CommandSupport
import ConvKit
import ConvNN
import Dispatch
import Foundation

/// `course gates`: XOR, AND and OR learned by a small sigmoid network.
struct GatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gates",
        abstract: "Logic gates (XOR, AND, OR) learned by 2 -> hidden sigmoid -> 1 sigmoid; truth table, weights, epochs to all right.")

    @Option(help: "xor, and or or (default: all three).") var gate: LogicGates.Gate?
    @Option(parsing: .unconditional, help: "Hidden sigmoid units.") var hidden = 4
    @Option(parsing: .unconditional, help: "SGD learning rate (full batch of the four patterns).") var learningRate: Float = 1
    @Option(parsing: .unconditional, help: "Epochs.") var epochs = 2000
    @Option(help: "bce (binary cross-entropy) or mse (mean squared error).") var loss = "bce"
    @Option(parsing: .unconditional, help: "Seed of the weights.") var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Also train with this many seeds (seed, seed + 1, ...) and count how many learn every pattern.")
    var seeds = 1

    func validate() throws {
        guard ["bce", "mse"].contains(loss) else { throw ValidationError("--loss must be bce or mse, got '\(loss)'") }
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
    }

    func run() throws {
        let lossFunction: Loss = loss == "bce" ? .binaryCrossentropy() : .meanSquaredError
        let start = DispatchTime.now().uptimeNanoseconds
        for g in gate.map({ [$0] }) ?? LogicGates.Gate.allCases {
            var learned = 0
            for k in 0..<seeds {
                let setup = try withOption(["hidden": "--hidden", "learningRate": "--learning-rate", "epochs": "--epochs"]) {
                    try LogicGates(hidden: hidden, learningRate: learningRate, epochs: epochs, loss: lossFunction, seed: seed + UInt64(k))
                }
                let result = try withOption("gates") { try setup.train(g, context: ExecutionContext(threads: 1)) }
                if result.epochsToAllCorrect != nil { learned += 1 }
                guard k == 0 else { continue }
                print("\(g.rawValue.uppercased()) (seed \(seed), \(hidden) hidden sigmoid units, \(loss), SGD \(learningRate), \(plural(epochs, "epoch"))):")
                print("   a  b | target  output")
                for (p, y) in zip(g.truthTable, result.outputs) {
                    print(String(format: "   %d  %d |   %d     %.4f %@", Int(p.a), Int(p.b), p.output, y, (y > 0.5) == (p.output == 1) ? "" : "wrong"))
                }
                print(
                    result.epochsToAllCorrect.map { "  every pattern right after epoch \($0)" } ?? "  not every pattern right after \(plural(epochs, "epoch"))",
                    String(format: "(final loss %.5f)", result.finalLoss))
                for layer in result.model.layers {
                    for p in layer.parameters {
                        print("  \(layer.name)/\(p.name) \(p.shape): " + p.values.map { String(format: "%.3f", $0) }.joined(separator: " "))
                    }
                }
            }
            if seeds > 1 { print("  \(learned) of \(seeds) seeds learned every pattern") }
        }
        print("Elapsed: \(elapsed(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9))")
    }
}
