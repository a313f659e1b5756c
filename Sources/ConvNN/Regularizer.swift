import ConvKit

/// A weight penalty added to the loss, Keras' `L1L2`: `l1 * sum|w| + l2 * sum w^2`, its gradient
/// `l1 * sign(w) + 2 * l2 * w` added to the parameter's gradient after each backward pass.
/// The penalty is part of the loss ``Sequential/fit(_:epochs:batchSize:optimizer:loss:validation:validationSplit:seed:shuffle:checkpoint:resume:callbacks:onBatch:onEpoch:)``
/// reports, as in Keras.
///
/// | Keras | ConvNN |
/// |---|---|
/// | `Dense(50, kernel_regularizer=l2(1e-4))` | `Dense(units: 50, kernelRegularizer: .l2(1e-4))` |
/// | `regularizers.l1(0.01)` | `.l1(0.01)` |
/// | `regularizers.L1L2(l1=1e-5, l2=1e-4)` | `.l1l2(l1: 1e-5, l2: 1e-4)` |
public struct Regularizer: Sendable, Hashable, CustomStringConvertible {
    public let l1: Float
    public let l2: Float

    /// `l2 * sum w^2` (Keras' default factor 0.01).
    public static func l2(_ factor: Float = 0.01) -> Regularizer { Regularizer(l1: 0, l2: factor) }
    /// `l1 * sum |w|` (Keras' default factor 0.01).
    public static func l1(_ factor: Float = 0.01) -> Regularizer { Regularizer(l1: factor, l2: 0) }
    /// Both penalties (Keras' `L1L2`, defaults 0).
    public static func l1l2(l1: Float = 0, l2: Float = 0) -> Regularizer { Regularizer(l1: l1, l2: l2) }

    init(l1: Float, l2: Float) {
        self.l1 = l1
        self.l2 = l2
    }

    /// Throws for a negative or non-finite factor.
    public func validate(_ name: String) throws {
        guard l1.isFinite, l2.isFinite, l1 >= 0, l2 >= 0 else {
            throw ConvKitError.invalidArgument(name: name, message: "factors must be finite and >= 0, got l1 \(l1), l2 \(l2)")
        }
    }

    /// The penalty of `weights` (summed in double, in a fixed order).
    public func penalty(_ weights: UnsafeBufferPointer<Float>, context: ExecutionContext? = nil) throws -> Double {
        let sums = try GradientKernels.absAndSquareSums(weights, context: context)
        return Double(l1) * sums.abs + Double(l2) * sums.squares
    }

    /// Adds the penalty's gradient to `p`'s gradient.
    public func addGradient(_ p: Parameter, context: ExecutionContext? = nil) throws {
        try GradientKernels.addRegularizerGradient(
            weights: UnsafeBufferPointer(p.value), into: p.gradient, l1: l1, l2: l2, context: context)
    }

    /// Keras' spelling in model files and summaries: `L1L2(l1=0.0, l2=0.0001)`.
    public var description: String { "L1L2(l1=\(l1), l2=\(l2))" }
}
