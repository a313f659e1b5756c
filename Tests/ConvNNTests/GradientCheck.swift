import ConvKit
import ConvNN
import Foundation
import Testing

/// Finite-difference checks of a model's parameter gradients: `computeGradients` against
/// central differences of the loss (training-mode forward, so batch normalization uses the
/// batch statistics) at a few entries of every parameter.
enum GradientCheck {
    /// Central differences at `h` and `h / 4`: the check passes when either agrees, so a kink
    /// (ReLU, leaky ReLU) that only the wider step straddles does not fail it.
    static func check(
        _ model: Sequential, _ data: Dataset, loss: Loss, entries: Int = 5, h: Float = 1e-3, tolerance: Double = 3e-2,
        _ what: String
    ) throws {
        _ = try model.computeGradients(data, loss: loss)
        let analytic = model.parameters.map { Array($0.gradient) }
        func difference(_ p: Parameter, _ i: Int, _ h: Float) throws -> Double {
            let saved = p.value[i]
            p.value[i] = saved + h
            let up = Double(try model.computeGradients(data, loss: loss))
            p.value[i] = saved - h
            let down = Double(try model.computeGradients(data, loss: loss))
            p.value[i] = saved
            return (up - down) / (2 * Double(h))
        }
        for (pi, p) in model.parameters.enumerated() {
            let stride = max(1, p.count / entries)
            for i in Swift.stride(from: 0, to: p.count, by: stride).prefix(entries) {
                let g = Double(analytic[pi][i])
                let wide = try difference(p, i, h), narrow = try difference(p, i, h / 4)
                let agrees = [wide, narrow].contains { abs($0 - g) <= tolerance * max(abs($0), abs(g)) + 2e-3 }
                #expect(agrees, "\(what): \(p.name) #\(pi)[\(i)] analytic \(g), finite differences \(wide), \(narrow)")
            }
        }
    }

    /// `count` random examples of `shape` with labels in `0..<classes`.
    static func data(_ shape: TensorShape, count: Int, classes: Int, seed: UInt64) throws -> Dataset {
        var g = SplitMix64(seed: seed)
        let images = (0..<(count * shape.count)).map { _ in Float.random(in: -1...1, using: &g) }
        let labels = (0..<count).map { _ in Int32.random(in: 0..<Int32(classes), using: &g) }
        return try Dataset(shape: shape, images: images, labels: labels)
    }
}
