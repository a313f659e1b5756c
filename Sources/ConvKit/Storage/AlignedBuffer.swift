/// A fixed-size, zero-initialised buffer of `Float` aligned to 64 bytes (one cache line, one
/// AVX-512 register). The storage behind ``Matrix``; reference type, shared until mutated.
final class AlignedBuffer: @unchecked Sendable {
    /// The alignment of ``baseAddress`` in bytes.
    static let alignment = 64

    /// Number of `Float` elements.
    let count: Int
    /// The first element; valid for the lifetime of the buffer.
    let baseAddress: UnsafeMutablePointer<Float>

    /// Allocates `count` zeroed floats (`count >= 0`).
    init(count: Int) {
        precondition(count >= 0, "AlignedBuffer count must be >= 0")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(1, count) * MemoryLayout<Float>.stride, alignment: AlignedBuffer.alignment)
        baseAddress = raw.bindMemory(to: Float.self, capacity: max(1, count))
        baseAddress.initialize(repeating: 0, count: max(1, count))
    }

    /// A new buffer with the same contents.
    func copy() -> AlignedBuffer {
        let other = AlignedBuffer(count: count)
        other.baseAddress.update(from: baseAddress, count: count)
        return other
    }

    deinit {
        UnsafeMutableRawPointer(baseAddress).deallocate()
    }
}
