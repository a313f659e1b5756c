import ConvKit
import ConvNN
import Foundation
import Testing

@Suite("Learning-rate schedules and gradient clipping")
struct ScheduleAndClippingTests {
    @Test("schedules follow Keras' formulas")
    func schedules() throws {
        let e = LearningRateSchedule.exponentialDecay(0.1, decaySteps: 10, decayRate: 0.5)
        #expect(e.rate(atIteration: 0) == 0.1)
        #expect(abs(e.rate(atIteration: 5) - Float(0.1 * pow(0.5, 0.5))) <= 1e-8)
        let stairs = LearningRateSchedule.exponentialDecay(0.1, decaySteps: 10, decayRate: 0.5, staircase: true)
        #expect(stairs.rate(atIteration: 9) == 0.1 && stairs.rate(atIteration: 10) == 0.05 && stairs.rate(atIteration: 25) == 0.025)
        let pieces = LearningRateSchedule.piecewiseConstant(boundaries: [3, 6], values: [1, 0.5, 0.25])
        #expect([0, 3, 4, 6, 7, 100].map { pieces.rate(atIteration: $0) } == [1, 1, 0.5, 0.5, 0.25, 0.25])
        let cosine = LearningRateSchedule.cosineDecay(1, decaySteps: 100, alpha: 0.1)
        #expect(cosine.rate(atIteration: 0) == 1)
        #expect(abs(cosine.rate(atIteration: 50) - 0.55) <= 1e-7)
        #expect(abs(cosine.rate(atIteration: 100) - 0.1) <= 1e-7 && cosine.rate(atIteration: 500) == cosine.rate(atIteration: 100))
        #expect(throws: ConvKitError.self) { try LearningRateSchedule.piecewiseConstant(boundaries: [3], values: [1]).validate() }
        #expect(throws: ConvKitError.self) { try LearningRateSchedule.exponentialDecay(0.1, decaySteps: 0, decayRate: 0.5).validate() }
    }

    /// A model with one 2-float and one 1-float parameter whose gradients the test sets.
    static func parameters() throws -> [Parameter] {
        try Sequential(input: TensorShape(features: 2), seed: 1) { try Dense(units: 1) }.parameters
    }

    @Test("SGD steps use the scheduled rate of each iteration; every optimizer takes a schedule")
    func scheduledSteps() throws {
        let params = try Self.parameters()
        let start = params.map(\.values)
        let schedule = LearningRateSchedule.piecewiseConstant(boundaries: [1], values: [0.5, 0.25])
        let sgd = SGD(learningRate: schedule)
        var expected = start
        for step in 1...4 {
            for (k, p) in params.enumerated() {
                _ = p.gradient.update(from: [Float](repeating: Float(step), count: p.count))
                for i in 0..<p.count { expected[k][i] -= schedule.rate(atIteration: step - 1) * Float(step) }
            }
            try sgd.update(params, step: step)
        }
        #expect(params.map(\.values) == expected)
        let optimizers: [any ScheduledOptimizer] = [
            Adam(learningRate: schedule), Nadam(learningRate: schedule), AdamW(learningRate: schedule),
            RMSprop(learningRate: schedule), Adagrad(learningRate: schedule),
        ]
        for o in optimizers { #expect(o.learningRate == schedule) }
    }

    @Test("clipnorm, global_clipnorm and clipvalue scale or clamp the gradients as Keras does")
    func clipping() throws {
        let params = try Self.parameters()
        func set(_ a: [Float], _ b: [Float]) {
            _ = params[0].gradient.update(from: a)
            _ = params[1].gradient.update(from: b)
        }
        set([3, 4], [12])
        try GradientClipping(globalClipNorm: 1).apply(to: params)
        func close(_ a: [Float], _ b: [Double]) -> Bool { zip(a, b).allSatisfy { abs(Double($0) - $1) <= 1e-7 } }
        #expect(close(Array(params[0].gradient), [3.0 / 13, 4.0 / 13]) && close(Array(params[1].gradient), [12.0 / 13]))
        set([3, 4], [12])
        try GradientClipping(clipNorm: 1).apply(to: params)
        #expect(close(Array(params[0].gradient), [0.6, 0.8]) && close(Array(params[1].gradient), [1]))
        set([3, -0.5], [-12])
        try GradientClipping(clipValue: 1).apply(to: params)
        #expect(Array(params[0].gradient) == [1, -0.5] && Array(params[1].gradient) == [-1])
        set([0.3, 0.4], [0.1])
        try GradientClipping(globalClipNorm: 10, clipValue: 0.35).apply(to: params)
        #expect(Array(params[0].gradient) == [0.3, 0.35] && Array(params[1].gradient) == [0.1])
        // An SGD step after clipping: w -= lr * clipped gradient.
        let before = params[0].values
        set([30, 40], [0])
        try SGD(learningRate: 0.1, clipNorm: 5).update(params, step: 1)
        #expect(params[0].values == [before[0] - Float(0.1) * 3, before[1] - Float(0.1) * 4])
        #expect(throws: ConvKitError.self) { try GradientClipping(clipNorm: 1, globalClipNorm: 1).validate() }
        #expect(throws: ConvKitError.self) { try SGD(clipValue: -1).validate() }
    }
}
