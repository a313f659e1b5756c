import ConvKit

/// Keras' gradient clipping options of an optimizer, applied to the gradients before every
/// update: `clipnorm` (each tensor scaled to an L2 norm of at most the value), `global_clipnorm`
/// (all tensors scaled together to a joint norm of at most the value), `clipvalue` (each element
/// clamped to ±value, after any norm clipping). Norms are summed in double in a fixed order, so
/// clipping gives the same bits for any thread count.
///
/// Keras: `SGD(learning_rate=0.1, global_clipnorm=1.0)`; ConvNN: `SGD(learningRate: 0.1, globalClipNorm: 1)`.
public struct GradientClipping: Sendable, Hashable, CustomStringConvertible {
    public var clipNorm: Float?
    public var globalClipNorm: Float?
    public var clipValue: Float?

    public init(clipNorm: Float? = nil, globalClipNorm: Float? = nil, clipValue: Float? = nil) {
        self.clipNorm = clipNorm
        self.globalClipNorm = globalClipNorm
        self.clipValue = clipValue
    }

    public var isActive: Bool { clipNorm != nil || globalClipNorm != nil || clipValue != nil }

    /// Throws for a non-positive or non-finite value, or both norms at once (Keras refuses that too).
    public func validate() throws {
        func check(_ name: String, _ v: Float?) throws {
            if let v, !(v > 0 && v.isFinite) { throw ConvKitError.invalidArgument(name: name, message: "must be finite and > 0, got \(v)") }
        }
        try check("clipNorm", clipNorm)
        try check("globalClipNorm", globalClipNorm)
        try check("clipValue", clipValue)
        if clipNorm != nil && globalClipNorm != nil {
            throw ConvKitError.invalidArgument(name: "clipNorm", message: "cannot be set together with globalClipNorm; choose one")
        }
    }

    /// Clips every parameter's ``Parameter/gradient`` in place.
    public func apply(to parameters: [Parameter], context: ExecutionContext? = nil) throws {
        guard isActive else { return }
        try validate()
        let limit = clipValue ?? .infinity
        var globalScale: Float = 1
        if let g = globalClipNorm {
            var squares = 0.0
            for p in parameters { squares += try GradientKernels.absAndSquareSums(UnsafeBufferPointer(p.gradient), context: context).squares }
            globalScale = GradientClipping.scale(norm: squares.squareRoot(), limit: g)
        }
        for p in parameters {
            var scale = globalScale
            if let c = clipNorm {
                let squares = try GradientKernels.absAndSquareSums(UnsafeBufferPointer(p.gradient), context: context).squares
                scale = GradientClipping.scale(norm: squares.squareRoot(), limit: c)
            }
            if scale != 1 || clipValue != nil { try GradientKernels.scaleAndClip(p.gradient, scale: scale, limit: limit, context: context) }
        }
    }

    /// `limit / max(norm, limit)` (1 when the norm is within the limit).
    static func scale(norm: Double, limit: Float) -> Float {
        norm > Double(limit) ? Float(Double(limit) / norm) : 1
    }

    public var description: String {
        [clipNorm.map { "clipnorm=\($0)" }, globalClipNorm.map { "global_clipnorm=\($0)" }, clipValue.map { "clipvalue=\($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
    }
}
