import ConvKit
import Foundation

/// An optimizer's learning rate as a function of the update count (Keras'
/// `keras.optimizers.schedules`), evaluated at Keras' `optimizer.iterations`: 0 for the first update.
/// A plain number is a constant rate.
///
/// | Keras | ConvNN |
/// |---|---|
/// | `SGD(learning_rate=0.1)` | `SGD(learningRate: 0.1)` |
/// | `ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=True)` | `.exponentialDecay(0.1, decaySteps: 100, decayRate: 0.5, staircase: true)` |
/// | `PiecewiseConstantDecay(boundaries=[1000, 2000], values=[0.1, 0.01, 0.001])` | `.piecewiseConstant(boundaries: [1000, 2000], values: [0.1, 0.01, 0.001])` |
/// | `CosineDecay(0.1, decay_steps=1000, alpha=0.01)` | `.cosineDecay(0.1, decaySteps: 1000, alpha: 0.01)` |
///
/// A step decay (divide by 10 every 30 epochs of 100 batches) is the staircase exponential decay
/// `.exponentialDecay(0.1, decaySteps: 3000, decayRate: 0.1, staircase: true)`.
public enum LearningRateSchedule: Sendable, Hashable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, CustomStringConvertible {
    case constant(Float)
    /// `initial * decayRate ^ (iteration / decaySteps)`, the exponent floored when `staircase`.
    case exponentialDecay(Float, decaySteps: Int, decayRate: Float, staircase: Bool = false)
    /// `values[0]` while `iteration <= boundaries[0]`, `values[i]` while `boundaries[i-1] <
    /// iteration <= boundaries[i]`, the last value after the last boundary.
    case piecewiseConstant(boundaries: [Int], values: [Float])
    /// `initial * ((1 - alpha) * (1 + cos(pi * min(iteration, decaySteps) / decaySteps)) / 2 + alpha)`.
    case cosineDecay(Float, decaySteps: Int, alpha: Float = 0)

    public init(floatLiteral value: Float) { self = .constant(value) }
    public init(integerLiteral value: Int) { self = .constant(Float(value)) }

    /// The rate of the update after `iteration` earlier ones (computed in double, rounded to float).
    public func rate(atIteration iteration: Int) -> Float {
        let t = Double(max(0, iteration))
        switch self {
        case .constant(let r): return r
        case .exponentialDecay(let initial, let steps, let rate, let staircase):
            var p = t / Double(steps)
            if staircase { p = p.rounded(.down) }
            return Float(Double(initial) * pow(Double(rate), p))
        case .piecewiseConstant(let boundaries, let values):
            let i = boundaries.firstIndex { iteration <= $0 } ?? boundaries.count
            return values[i]
        case .cosineDecay(let initial, let steps, let alpha):
            let fraction = min(t, Double(steps)) / Double(steps)
            let cosine = 0.5 * (1 + cos(Double.pi * fraction))
            return Float(Double(initial) * ((1 - Double(alpha)) * cosine + Double(alpha)))
        }
    }

    /// Throws unless the schedule is well formed (positive finite rates and steps, one more value
    /// than boundaries, increasing boundaries).
    public func validate() throws {
        func bad(_ message: String) -> ConvKitError { .invalidArgument(name: "learningRate", message: message) }
        switch self {
        case .constant(let r):
            guard r.isFinite && r >= 0 else { throw bad("must be finite and >= 0, got \(r)") }
        case .exponentialDecay(let initial, let steps, let rate, _):
            guard initial.isFinite && initial >= 0, steps >= 1, rate.isFinite && rate > 0 else {
                throw bad("exponentialDecay needs an initial rate >= 0, decaySteps >= 1 and a decayRate > 0, got \(self)")
            }
        case .piecewiseConstant(let boundaries, let values):
            guard values.count == boundaries.count + 1 else {
                throw bad("piecewiseConstant needs one more value than boundaries, got \(boundaries.count) boundaries and \(values.count) values")
            }
            guard zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw bad("piecewiseConstant boundaries must increase, got \(boundaries)")
            }
            guard values.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw bad("piecewiseConstant values must be finite and >= 0, got \(values)") }
        case .cosineDecay(let initial, let steps, let alpha):
            guard initial.isFinite && initial >= 0, steps >= 1, alpha.isFinite else {
                throw bad("cosineDecay needs an initial rate >= 0 and decaySteps >= 1, got \(self)")
            }
        }
    }

    /// Keras' spelling, for summaries and checkpoint identities (`0.01`, `ExponentialDecay(...)`).
    public var description: String {
        switch self {
        case .constant(let r): "\(r)"
        case .exponentialDecay(let i, let s, let r, let st): "ExponentialDecay(\(i), decay_steps=\(s), decay_rate=\(r), staircase=\(st))"
        case .piecewiseConstant(let b, let v): "PiecewiseConstantDecay(boundaries=\(b), values=\(v))"
        case .cosineDecay(let i, let s, let a): "CosineDecay(\(i), decay_steps=\(s), alpha=\(a))"
        }
    }
}
