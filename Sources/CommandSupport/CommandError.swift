import ConvKit
import ConvNN
import Dispatch
import Foundation

/// Command-line support shared by ConvKit's commands (`cifar10`, `course`).

/// An error the command reports as ArgumentParser reports its own: `Error: <message>`, exit 1.
/// Messages start with the option as the user typed it (`--batch-size ...`).
public struct CommandError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }

    private static let signalSources = SignalSources()

    /// On SIGINT or SIGTERM, removes the temporary file of a save in progress before exiting
    /// (status 130 or 143), so an interrupted run leaves no partial or temporary file.
    public static func removeTemporaryFilesOnSignal() { signalSources.install() }
}

private final class SignalSources: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "convkit.command.signals")

    func install() {
        guard sources.isEmpty else { return }
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
            source.setEventHandler {
                AtomicFile.removeTemporaryFiles()
                FileHandle.standardError.write(Data("\ninterrupted\n".utf8))
                exit(128 + signo)
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// Runs `body`, turning a ``ConvKitError/invalidArgument(name:message:)`` into a
/// ``CommandError`` that names `option`.
public func withOption<R>(_ option: String, _ body: () throws -> R) throws -> R {
    do { return try body() } catch let ConvKitError.invalidArgument(name, message) {
        throw CommandError(name.hasPrefix("--") ? "\(name): \(message)" : "\(option): \(message)")
    }
}

/// Runs `body`, naming the command-line option of each library argument name in `options`
/// (`["batchSize": "--batch-size"]`); other errors keep their own text.
public func withOption<R>(_ options: [String: String], _ body: () throws -> R) throws -> R {
    do { return try body() } catch let ConvKitError.invalidArgument(name, message) {
        if let option = options[name] { throw CommandError("\(option): \(message)") }
        throw CommandError(name.hasPrefix("--") ? "\(name): \(message)" : "\(ConvKitError.invalidArgument(name: name, message: message))")
    }
}

/// The progress of training: a live line rewritten in place on a terminal, else one line per
/// epoch (a log gets no carriage-return updates).
public final class ProgressPrinter {
    public let live: Bool
    private var lastLength = 0
    public init(live: Bool) { self.live = live }

    public func batch(_ p: TrainingProgress) {
        guard live, p.batch == p.batches || p.batch % 8 == 0 else { return }
        let line = String(
            format: "Epoch %d/%d %@ %d/%d - %.0f img/s - loss %.4f - accuracy %.4f - ETA %.0fs",
            p.epoch, p.epochs, bar(Double(p.batch) / Double(p.batches)), p.batch, p.batches,
            p.imagesPerSecond, p.loss, p.accuracy, p.eta)
        print("\r" + line + String(repeating: " ", count: max(0, lastLength - line.count)), terminator: "")
        lastLength = line.count
        fflush(nil)
    }

    public func epoch(_ r: EpochRecord) {
        let figures = String(
            format: "%.1fs - %.0f img/s - loss %.4f - accuracy %.4f - val_loss %.4f - val_accuracy %.4f",
            r.seconds, r.imagesPerSecond, r.loss, r.accuracy, r.validationLoss ?? .nan, r.validationAccuracy ?? .nan)
        if live {
            print("\n  " + figures)
        } else {
            print("Epoch \(r.epoch): " + figures)
        }
        lastLength = 0
        fflush(nil)
    }

    private func bar(_ fraction: Double, width: Int = 24) -> String {
        let filled = Int((fraction * Double(width)).rounded(.down))
        return "[" + String(repeating: "=", count: filled) + (filled < width ? ">" : "")
            + String(repeating: ".", count: max(0, width - filled - 1)) + "]"
    }
}

/// The context of a command: `--threads`, else `CONVKIT_NUM_THREADS`; `CONVKIT_ISA` in both cases.
public func commandContext(threads: Int?) throws -> ExecutionContext {
    do {
        let environment = try ExecutionContext.fromEnvironment()
        return try ExecutionContext(threads: threads ?? environment.threads, isa: environment.isa)
    } catch { throw CommandError("\(error)") }
}

/// "1 epoch", "2 epochs".
public func plural(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

/// Whether standard output is a terminal (progress lines are then rewritten in place).
public var standardOutputIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 }
