import ArgumentParser
import CommandSupport
import ConvKit
import ConvNN
import Foundation

/// `course`: the course notes' experiments besides CIFAR-10 (which is `cifar10`).
@main
struct CourseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "course",
        abstract: "The course's experiments: digits grid searches (dense and convolutional), logic gates, MNIST.",
        subcommands: [DigitsCommand.self, GatesCommand.self, MNISTCommand.self])
}

extension DigitsGridSearch.Network: ExpressibleByArgument {}
extension DigitsGridSearch.Parallelism: ExpressibleByArgument {}
extension LogicGates.Gate: ExpressibleByArgument {}

/// A comma- or space-separated list of positive floats (`1e-5,1e-4`), named by its option.
func floatList(_ tokens: [String], option: String) throws -> [Float] {
    let values = tokens.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }) }.map(String.init).filter { !$0.isEmpty }
    return try values.map { text in
        guard let v = Float(text), v.isFinite else { throw ValidationError("\(option): '\(text)' is not a number") }
        return v
    }
}

/// Seconds as "12.3 s" or "2 min 5 s".
func elapsed(_ seconds: Double) -> String {
    seconds < 120 ? String(format: "%.1f s", seconds) : String(format: "%d min %d s", Int(seconds) / 60, Int(seconds) % 60)
}

/// Creates `folder` if needed and checks that SVG files can be written there, before a long run.
func checkPlotFolder(_ folder: String) throws {
    do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
        throw CommandError("--plot: cannot create the folder '\(folder)': \(error.localizedDescription)")
    }
    try withOption("--plot") { try AtomicFile.checkWritable(folder + "/course-plot.svg", bytes: 200_000, option: "--plot") }
}
