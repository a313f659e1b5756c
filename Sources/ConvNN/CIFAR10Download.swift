import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension CIFAR10 {
    /// `$XDG_CACHE_HOME/convkit`, else `~/.cache/convkit`: where the training command keeps the
    /// downloaded dataset (like Keras' `~/.keras/datasets`).
    public static var defaultCacheDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/convkit" }
        return (env["HOME"] ?? FileManager.default.currentDirectoryPath) + "/.cache/convkit"
    }

    /// The `cifar-10-batches-bin` folder in `cache`, downloading and unpacking the official archive
    /// first when it is not there yet (once; later calls reuse it).
    /// - Throws: ``CIFAR10Error/downloadFailed(url:reason:)`` (which says how to get the archive
    ///   by hand) or ``CIFAR10Error/unpackFailed(archive:reason:)``.
    public static func cachedDataset(
        in cache: String = defaultCacheDirectory,
        progress: ((Int64, Int64?) -> Void)? = nil
    ) throws -> String {
        let folder = cache + "/cifar-10-batches-bin"
        if FileManager.default.fileExists(atPath: folder + "/" + testFile) { return folder }
        return try download(to: cache, progress: progress)
    }

    /// Downloads `cifar-10-binary.tar.gz` from the CIFAR-10 home page into `directory` and unpacks
    /// it there; returns the `cifar-10-batches-bin` folder. `progress(bytes, total)` is called as
    /// data arrives.
    /// - Throws: ``CIFAR10Error`` when there is no network (fast: a 20 s connection timeout) or
    ///   the archive cannot be unpacked.
    public static func download(
        to directory: String, timeout: Double = 20,
        progress: ((Int64, Int64?) -> Void)? = nil
    ) throws -> String {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw CIFAR10Error.downloadFailed(url: archiveURL, reason: "cannot create '\(directory)': \(error.localizedDescription)")
        }
        let archive = directory + "/cifar-10-binary.tar.gz"
        do {
            try Fetcher(progress: progress).fetch(URL(string: archiveURL)!, to: archive, timeout: timeout)
        } catch let failure as FetchFailure {
            throw CIFAR10Error.downloadFailed(url: failure.url, reason: failure.reason)
        }
        try unpack(archive: archive, into: directory)
        try? FileManager.default.removeItem(atPath: archive)
        return directory + "/cifar-10-batches-bin"
    }

    /// Unpacks a `.tar.gz` archive into `directory` with the system's `tar`.
    /// - Throws: ``CIFAR10Error/unpackFailed(archive:reason:)``.
    public static func unpack(archive: String, into directory: String) throws {
        guard FileManager.default.fileExists(atPath: archive) else {
            throw CIFAR10Error.unpackFailed(archive: archive, reason: "the file does not exist")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tar", "-xzf", archive, "-C", directory]
        let errors = Pipe()
        process.standardError = errors
        do { try process.run() } catch {
            throw CIFAR10Error.unpackFailed(archive: archive, reason: "cannot run tar: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw CIFAR10Error.unpackFailed(
                archive: archive, reason: "tar exited with \(process.terminationStatus): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
}
