import ConvKit
import Foundation
import Synchronization

/// Files written whole or not at all: the bytes go to a temporary file beside the destination,
/// which is then renamed over it, so a reader never sees half a model file or checkpoint and a
/// failed or interrupted write leaves the previous file and no temporary one.
public enum AtomicFile {
    /// Temporary files being written now (removed by ``removeTemporaryFiles()``).
    private static let inFlight = Mutex<Set<String>>([])

    /// Writes `data` to `path` atomically.
    /// - Throws: ``ConvKit/ConvKitError`` naming `option` (the argument or command-line option
    ///   the path came from) and the operating system's reason, when the folder is missing or
    ///   read-only, `path` is a folder, or the disk is full. No temporary file is left behind.
    public static func write(_ data: Data, to path: String, option: String = "path") throws {
        let temporary = try temporaryPath(for: path, option: option)
        inFlight.withLock { _ = $0.insert(temporary) }
        defer {
            unlink(temporary)
            inFlight.withLock { _ = $0.remove(temporary) }
        }
        try fill(temporary, with: data, destination: path, option: option)
        guard rename(temporary, path) == 0 else { throw failure(option, path, errno) }
    }

    /// Checks before a long run that `path` can be written with `bytes` bytes: its folder exists
    /// and is writable, `path` is not a folder, and the disk has room (the bytes are allocated
    /// in a temporary file, which is then removed). The destination itself is not touched.
    /// - Throws: ``ConvKit/ConvKitError`` naming `option` and the operating system's reason.
    public static func checkWritable(_ path: String, bytes: Int, option: String) throws {
        let temporary = try temporaryPath(for: path, option: option)
        defer { unlink(temporary) }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw failure(option, path, errno) }
        defer { close(fd) }
        let code = posix_fallocate(fd, 0, off_t(max(1, bytes)))
        // Some file systems cannot preallocate (EOPNOTSUPP, EINVAL): fall back to writing zeros.
        if code == EOPNOTSUPP || code == EINVAL {
            try writeAll(fd, Data(count: max(1, bytes)), option: option, path: path)
        } else if code != 0 {
            throw failure(option, path, code)
        }
    }

    /// Removes the temporary files of writes in progress (for a signal handler that ends the
    /// process in the middle of a save).
    public static func removeTemporaryFiles() {
        inFlight.withLock { paths in
            for p in paths { unlink(p) }
            paths.removeAll()
        }
    }

    private static func temporaryPath(for path: String, option: String) throws -> String {
        guard !path.isEmpty else {
            throw ConvKitError.invalidArgument(name: option, message: "is empty; expected a file path")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ConvKitError.invalidArgument(name: option, message: "'\(path)' is a folder; expected a file path")
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        var folderIsDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &folderIsDirectory) else {
            throw ConvKitError.invalidArgument(name: option, message: "cannot write '\(path)': the folder '\(folder)' does not exist")
        }
        guard folderIsDirectory.boolValue else {
            throw ConvKitError.invalidArgument(name: option, message: "cannot write '\(path)': '\(folder)' is not a folder")
        }
        return folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    private static func fill(_ temporary: String, with data: Data, destination: String, option: String) throws {
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw failure(option, destination, errno) }
        defer { close(fd) }
        try writeAll(fd, data, option: option, path: destination)
        guard fsync(fd) == 0 else { throw failure(option, destination, errno) }
    }

    private static func writeAll(_ fd: Int32, _ data: Data, option: String, path: String) throws {
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure(option, path, errno)
                }
                offset += written
            }
        }
    }

    private static func failure(_ option: String, _ path: String, _ code: Int32) -> ConvKitError {
        ConvKitError.invalidArgument(name: option, message: "cannot write '\(path)': \(String(cString: strerror(code)))")
    }
}

/// CRC-32 (IEEE 802.3, the checksum of zip and PNG) of a byte sequence: model files and
/// checkpoints carry it for their tensor bytes.
struct CRC32 {
    private static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var c = ~value
        for b in bytes { c = CRC32.table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        value = ~c
    }

    static func of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
