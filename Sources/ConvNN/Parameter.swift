/// A trainable tensor of a layer and its gradient, in 64-byte aligned storage the layer owns.
public final class Parameter: @unchecked Sendable {
    /// `kernel` or `bias`.
    public let name: String
    /// Keras' shape: conv kernels HWIO `[kh, kw, cin, cout]`, dense kernels `[in, units]`.
    public let shape: [Int]
    public let count: Int
    /// The values.
    public let value: UnsafeMutableBufferPointer<Float>
    /// dL/dvalue of the last backward pass (over the whole batch).
    public let gradient: UnsafeMutableBufferPointer<Float>
    /// Per-slice gradients of slices 1, 2, ... (slice 0 writes ``gradient``); summed into
    /// ``gradient`` in slice order after each backward pass.
    private(set) var sliceGradients: [UnsafeMutableBufferPointer<Float>] = []

    /// Where slice `slice` of a batch writes its gradient.
    public func gradient(slice: Int) -> UnsafeMutableBufferPointer<Float> {
        slice == 0 ? gradient : sliceGradients[slice - 1]
    }

    func reserve(slices count: Int) {
        while sliceGradients.count < count - 1 { sliceGradients.append(Parameter.allocate(self.count)) }
    }

    init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
        count = shape.reduce(1, *)
        value = Parameter.allocate(count)
        gradient = Parameter.allocate(count)
    }

    static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
        let p = raw.bindMemory(to: Float.self, capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
        return UnsafeMutableBufferPointer(start: p, count: count)
    }

    deinit {
        UnsafeMutableRawPointer(value.baseAddress!).deallocate()
        UnsafeMutableRawPointer(gradient.baseAddress!).deallocate()
        for g in sliceGradients { UnsafeMutableRawPointer(g.baseAddress!).deallocate() }
    }

    /// The values as an array (a copy).
    public var values: [Float] { Array(value) }
}

/// A small, fast, seedable generator (SplitMix64): weight initialisation, shuffling and dropout
/// masks all draw from one, so training is reproducible from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) * 0x1p-53
    }
}
