import ConvKit
import ConvNN
import Foundation
import Testing

/// Tests of `Sources/ConvNN/Initializer.swift`: Keras' initializers and each layer's defaults.
@Suite("Initializers")
struct InitializerTests {
    /// A Dense layer of `inputs x units` built with `kernel` (seed 3); its kernel values.
    static func denseKernel(_ kernel: Initializer, inputs: Int = 400, units: Int = 300) throws -> [Float] {
        let layer = try Dense(units: units, kernelInitializer: kernel)
        _ = try Sequential(input: TensorShape(features: inputs), seed: 3) { layer }
        return layer.kernel!.values
    }

    static func moments(_ v: [Float]) -> (mean: Double, std: Double) {
        let mean = v.reduce(0.0) { $0 + Double($1) } / Double(v.count)
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(v.count)
        return (mean, variance.squareRoot())
    }

    @Test("the default is Glorot uniform drawn in weight order from the model's SplitMix64, zeros for biases, as before")
    func defaultUnchanged() throws {
        let layer = try Dense(units: 5)
        _ = try Sequential(input: TensorShape(features: 12), seed: 7) { layer }
        var g = SplitMix64(seed: 7)
        let limit = (6.0 / Double(12 + 5)).squareRoot()
        let expected = (0..<60).map { _ in Float(-limit + 2 * limit * Double(g.next() >> 11) * 0x1p-53) }
        #expect(layer.kernel!.values.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(layer.bias!.values == [Float](repeating: 0, count: 5))
        #expect(layer.kernelInitializer == .glorotUniform && layer.biasInitializer == .zeros)
    }

    @Test(
        "uniform initializers stay within their limit and have its variance (limit^2 / 3)",
        arguments: [
            (Initializer.glorotUniform, (6.0 / 700).squareRoot()), (.heUniform, (6.0 / 400).squareRoot()),
            (.lecunUniform, (3.0 / 400).squareRoot()),
        ])
    func uniform(initializer: Initializer, limit: Double) throws {
        let v = try Self.denseKernel(initializer)
        #expect(v.allSatisfy { abs(Double($0)) <= limit }, "\(initializer)")
        let (mean, std) = Self.moments(v)
        let expectedStd = limit / 3.0.squareRoot()
        #expect(abs(mean) < 5 * expectedStd / Double(v.count).squareRoot(), "\(initializer) mean \(mean)")
        #expect(abs(std / expectedStd - 1) < 0.02, "\(initializer) std \(std), expected \(expectedStd)")
    }

    @Test(
        "truncated normal initializers have the stated standard deviation and no value beyond two of the underlying ones",
        arguments: [
            (Initializer.glorotNormal, (2.0 / 700).squareRoot()), (.heNormal, (2.0 / 400).squareRoot()),
            (.lecunNormal, (1.0 / 400).squareRoot()),
        ])
    func truncatedNormal(initializer: Initializer, stddev: Double) throws {
        let v = try Self.denseKernel(initializer)
        let bound = 2 * stddev / 0.879_625_661_034_239_78
        #expect(v.allSatisfy { abs(Double($0)) <= bound * (1 + 1e-6) }, "\(initializer)")
        let (mean, std) = Self.moments(v)
        #expect(abs(mean) < 5 * stddev / Double(v.count).squareRoot(), "\(initializer) mean \(mean)")
        #expect(abs(std / stddev - 1) < 0.02, "\(initializer) std \(std), expected \(stddev)")
        // The shape of a truncated normal, not a uniform: P(|x| < stddev) = P(|Z| < 0.8796 given
        // |Z| < 2) = 0.6209 / 0.9545 = 65.0%; a uniform of the same variance gives 57.7%.
        let inside = Double(v.filter { abs(Double($0)) < stddev }.count) / Double(v.count)
        #expect(abs(inside - 0.650) < 0.01, "\(initializer): \(inside) within one stddev")
    }

    @Test("constant initializers, bias initializers, and Conv2D's fans (kh * kw * cin / groups in, kh * kw * filters out)")
    func constantsAndConvolutionFans() throws {
        #expect(try Self.denseKernel(.zeros, inputs: 3, units: 2) == [0, 0, 0, 0, 0, 0])
        #expect(try Self.denseKernel(.ones, inputs: 3, units: 2) == [1, 1, 1, 1, 1, 1])
        #expect(try Self.denseKernel(.constant(0.25), inputs: 2, units: 2) == [0.25, 0.25, 0.25, 0.25])
        let dense = try Dense(units: 4, biasInitializer: .constant(-1))
        _ = try Sequential(input: TensorShape(features: 3), seed: 1) { dense }
        #expect(dense.bias!.values == [-1, -1, -1, -1])
        let conv = try Conv2D(filters: 64, kernelSize: 3, groups: 2, kernelInitializer: .heUniform, biasInitializer: .ones)
        _ = try Sequential(input: TensorShape(height: 8, width: 8, channels: 32), seed: 2) { conv }
        let limit = (6.0 / Double(3 * 3 * 16)).squareRoot()  // fan in: 3 x 3 x (32 / 2 groups)
        let values = conv.kernel!.values
        #expect(values.allSatisfy { abs(Double($0)) <= limit } && values.contains { abs(Double($0)) > 0.9 * limit })
        #expect(conv.bias!.values == [Float](repeating: 1, count: 64))
    }
}
