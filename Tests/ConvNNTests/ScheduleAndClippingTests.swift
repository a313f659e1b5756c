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

    @Test("Adam and SGD with momentum, a schedule and global-norm clipping: three steps against the formulas in double")
    func stepsAgainstFormulas() throws {
        let schedule = LearningRateSchedule.exponentialDecay(0.1, decaySteps: 1, decayRate: 0.5)
        let gradients: [[Float]] = [[3, -4, 12], [0.1, 0.2, -0.3], [-6, 8, 0.5]]
        for name in ["adam", "sgd"] {
            let params = try Self.parameters()
            let start = params.flatMap(\.values).map(Double.init)
            let optimizer: any Optimizer =
                name == "adam" ? Adam(learningRate: schedule, globalClipNorm: 2) : SGD(learningRate: schedule, momentum: 0.9, globalClipNorm: 2)
            var w = start, m = [Double](repeating: 0, count: 3), v = m
            for (t, g) in gradients.enumerated() {
                _ = params[0].gradient.update(from: g[0..<2])
                _ = params[1].gradient.update(from: g[2..<3])
                try optimizer.update(params, step: t + 1)
                let norm = g.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
                let clipped = g.map { Double($0) * (norm > 2 ? 2 / norm : 1) }
                let lr = 0.1 * pow(0.5, Double(t))
                for i in 0..<3 {
                    if name == "adam" {
                        m[i] += (clipped[i] - m[i]) * 0.1
                        v[i] += (clipped[i] * clipped[i] - v[i]) * 0.001
                        let alpha = lr * (1 - pow(0.999, Double(t + 1))).squareRoot() / (1 - pow(0.9, Double(t + 1)))
                        w[i] -= alpha * m[i] / (v[i].squareRoot() + 1e-7)
                    } else {
                        m[i] = 0.9 * m[i] - lr * clipped[i]
                        w[i] += m[i]
                    }
                }
                let got = params.flatMap(\.values)
                for i in 0..<3 { #expect(abs(Double(got[i]) - w[i]) <= 1e-6 * max(1, abs(w[i])), "\(name) step \(t + 1) [\(i)]: \(got[i]) vs \(w[i])") }
            }
        }
    }

    @Test("every optimizer clips before it updates and follows its schedule")
    func everyOptimizer() throws {
        let zeroAfterFirst = LearningRateSchedule.piecewiseConstant(boundaries: [0], values: [0.01, 0])
        func make(_ k: Int, _ lr: LearningRateSchedule, clip: Float?) -> any Optimizer {
            switch k {
            case 0: SGD(learningRate: lr, clipValue: clip)
            case 1: Adam(learningRate: lr, clipValue: clip)
            case 2: AdamW(learningRate: lr, clipValue: clip)
            case 3: Nadam(learningRate: lr, clipValue: clip)
            case 4: RMSprop(learningRate: lr, clipValue: clip)
            default: Adagrad(learningRate: lr, clipValue: clip)
            }
        }
        for k in 0..<6 {
            // A zero rate from the second step on: only the first step moves the weights (no momentum here).
            let params = try Self.parameters()
            let o = make(k, zeroAfterFirst, clip: nil)
            for step in 1...3 {
                for p in params { _ = p.gradient.update(from: [Float](repeating: 1, count: p.count)) }
                try o.update(params, step: step)
            }
            let afterOne = try Self.parameters()
            let single = make(k, zeroAfterFirst, clip: nil)
            for p in afterOne { _ = p.gradient.update(from: [Float](repeating: 1, count: p.count)) }
            try single.update(afterOne, step: 1)
            #expect(params.map(\.values) == afterOne.map(\.values), "optimizer \(k) follows its schedule")
            // clipValue 0.25 on gradients of 4 equals unclipped updates on gradients of 0.25.
            let clippedParams = try Self.parameters(), plainParams = try Self.parameters()
            let clipped = make(k, 0.01, clip: 0.25), plain = make(k, 0.01, clip: nil)
            for step in 1...2 {
                for p in clippedParams { _ = p.gradient.update(from: [Float](repeating: 4, count: p.count)) }
                for p in plainParams { _ = p.gradient.update(from: [Float](repeating: 0.25, count: p.count)) }
                try clipped.update(clippedParams, step: step)
                try plain.update(plainParams, step: step)
            }
            #expect(clippedParams.map(\.values) == plainParams.map(\.values), "optimizer \(k) clips first")
        }
    }
}
