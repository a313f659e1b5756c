import ConvKit
import ConvNN
import Foundation
import Testing

@Suite("Regularizers: Keras' L1L2 penalty in the loss and the gradients")
struct RegularizerTests {
    @Test("l1, l2 and l1l2 add their penalty to the loss and its gradient, kernel and bias, Dense and Conv2D")
    func penaltyAndGradient() throws {
        let input = TensorShape(height: 4, width: 4, channels: 2)
        let data = try GradientCheck.data(input, count: 8, classes: 3, seed: 2)
        func model(_ k: Regularizer?, _ b: Regularizer?) throws -> Sequential {
            try Sequential(input: input, seed: 3) {
                try Conv2D(filters: 3, kernelSize: 3, activation: .tanh, kernelRegularizer: k, biasRegularizer: b)
                Flatten()
                try Dense(units: 3, kernelRegularizer: k)
            }
        }
        let cases: [(Regularizer, Regularizer?)] = [(.l2(1e-2), nil), (.l1(1e-2), .l2(0.5)), (.l1l2(l1: 1e-3, l2: 1e-1), .l1())]
        for (k, b) in cases {
            let plain = try model(nil, nil), penalised = try model(k, b)
            let base = try plain.computeGradients(data), total = try penalised.computeGradients(data)
            var penalty = 0.0
            for (layerIndex, layer) in penalised.layers.enumerated() {
                for (p, r) in layer.regularizedParameters {
                    for w in p.values {
                        let v = Double(w)
                        penalty += Double(r.l1) * abs(v) + Double(r.l2) * v * v
                    }
                    // The gradient differs by l1 sign(w) + 2 l2 w.
                    let other = plain.layers[layerIndex].parameters.first { $0.name == p.name }!
                    for i in 0..<p.count {
                        let w = p.value[i]
                        let extra = r.l1 * (w > 0 ? 1 : w < 0 ? -1 : 0) + 2 * r.l2 * w
                        #expect(abs(p.gradient[i] - (other.gradient[i] + extra)) <= 1e-6 * max(1, abs(extra)))
                    }
                }
            }
            #expect(abs(Double(total) - Double(base) - penalty) <= 1e-5 * max(1, penalty), "\(k) \(String(describing: b))")
            #expect(abs(try penalised.regularizationPenalty() - penalty) <= 1e-9 * max(1, penalty))
            try GradientCheck.check(try model(k, b), data, loss: .softmaxCrossEntropy, "\(k)")
        }
    }

    @Test("the configuration names the regularizer only when there is one, so files without it still load; bad factors throw")
    func configuration() throws {
        #expect(try Dense(units: 2).configuration["kernel_regularizer"] == nil)
        #expect(try Dense(units: 2, kernelRegularizer: .l2(1e-4)).configuration["kernel_regularizer"] == "L1L2(l1=0.0, l2=0.0001)")
        #expect(throws: ConvKitError.self) { try Dense(units: 2, kernelRegularizer: .l2(-1)) }
        #expect(throws: ConvKitError.self) { try Conv2D(filters: 2, kernelSize: 1, biasRegularizer: .l1(.nan)) }
    }
}
