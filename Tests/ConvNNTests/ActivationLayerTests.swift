import ConvKit
import ConvKitReference
import ConvNN
import Foundation
import Testing

@Suite("Activations in ConvNN: layers, activation: parameters, gradients")
struct ActivationLayerTests {
    static let input = TensorShape(height: 5, width: 5, channels: 2)

    @Test("every activation of Conv2D and Dense, and every standalone layer, passes the finite-difference check", arguments: Activation.allCases)
    func finiteDifferences(activation: Activation) throws {
        let data = try GradientCheck.data(Self.input, count: 20, classes: 3, seed: 3)
        let convActivation: Activation = activation == .softmax ? .tanh : activation
        let model = try Sequential(input: Self.input, seed: 4) {
            try Conv2D(filters: 4, kernelSize: 3, activation: convActivation)
            Flatten()
            try Dense(units: 6, activation: activation)
            try Dense(units: 3, activation: .softmax)
        }
        try GradientCheck.check(model, data, loss: .sparseCategoricalCrossentropy(), "\(activation)")
        let standalone = try Sequential(input: Self.input, seed: 6) {
            try Conv2D(filters: 3, kernelSize: 2)
            ActivationLayer(activation)
            try ELU(alpha: 0.5)
            Flatten()
            try Dense(units: 4)
            // Few values pass the kink here, so central differences do not straddle it.
            try LeakyReLU(negativeSlope: 0.1)
            try Dense(units: 3)
            Softmax()
        }
        try GradientCheck.check(standalone, data, loss: .categoricalCrossentropy(), "standalone \(activation)")
    }

    @Test("a Dense layer's outputs are the reference activation of x W + b, softmax over the units")
    func denseMatchesReference() throws {
        let data = try GradientCheck.data(TensorShape(features: 7), count: 9, classes: 5, seed: 8)
        for activation in Activation.allCases {
            let model = try Sequential(input: TensorShape(features: 7), seed: 2) { try Dense(units: 5, activation: activation) }
            let dense = model.layers[0] as! Dense
            let (w, b) = (dense.kernel!.values, dense.bias!.values)
            var z = [Float](repeating: 0, count: 9 * 5)
            for n in 0..<9 {
                for u in 0..<5 {
                    var s = 0.0
                    for i in 0..<7 { s += Double(data.images[n * 7 + i]) * Double(w[i * 5 + u]) }
                    z[n * 5 + u] = Float(s + Double(b[u]))
                }
            }
            let exact = ReferenceActivation.forward(
                ReferenceActivation.Kind(rawValue: activation.rawValue)!, z, channels: 5, alpha: Double(activation.defaultAlpha))
            let y = try model.predict(data.images)
            for (a, e) in zip(y, exact) { #expect(abs(Double(a) - e) <= 1e-5 * max(1, abs(e)), "\(activation): \(a) vs \(e)") }
        }
    }

    @Test("layer names, configurations and parameter checks follow Keras")
    func kerasNames() throws {
        #expect(try LeakyReLU().configuration == ["negative_slope": "0.3"])
        #expect(try ELU().alpha == 1)
        #expect(ActivationLayer(.leakyReLU).alpha == 0.2)
        #expect(Softmax().typeName == "Softmax")
        #expect(Activation.linear == Activation.none)
        #expect(throws: ConvKitError.self) { try LeakyReLU(negativeSlope: -1) }
        #expect(throws: ConvKitError.self) { try ELU(alpha: 0) }
    }
}
