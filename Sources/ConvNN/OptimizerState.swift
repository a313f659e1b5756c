import ConvKit

/// Per-parameter state buffers of an optimizer (moments, accumulators), allocated on first use
/// with a starting value and owned by the optimizer: `slot` tells the buffers of one parameter
/// apart (`m` and `v`, ...).
final class OptimizerState {
    private var buffers: [Key: UnsafeMutableBufferPointer<Float>] = [:]
    private struct Key: Hashable {
        let parameter: ObjectIdentifier
        let slot: Int
    }

    /// The buffer `slot` of `p`, filled with `initial` when first asked for.
    func buffer(for p: Parameter, slot: Int, initial: Float = 0) -> UnsafeMutableBufferPointer<Float> {
        let key = Key(parameter: ObjectIdentifier(p), slot: slot)
        if let b = buffers[key] { return b }
        let b = Parameter.allocate(p.count)
        if initial != 0 { b.update(repeating: initial) }
        buffers[key] = b
        return b
    }

    deinit { for b in buffers.values { UnsafeMutableRawPointer(b.baseAddress!).deallocate() } }
}
