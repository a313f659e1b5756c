import ConvKit

/// Updates parameters from their gradients after each batch.
public protocol Optimizer: AnyObject {
    /// Applies one step (`step` is 1-based) to every parameter.
    func update(_ parameters: [Parameter], step: Int) throws
    /// Throws for malformed settings; ``Sequential`` calls it before training.
    func validate() throws
}

extension Optimizer {
    public func validate() throws {}
}

/// An optimizer with Keras' learning-rate schedules and gradient clipping (every built-in one):
/// each update first clips the gradients, then uses the rate of iteration `step - 1`.
public protocol ScheduledOptimizer: Optimizer {
    /// The learning rate or its schedule.
    var learningRate: LearningRateSchedule { get }
    /// Gradient clipping applied before each update.
    var clipping: GradientClipping { get }
}

extension ScheduledOptimizer {
    /// Throws for a malformed schedule or clipping value.
    public func validate() throws {
        try learningRate.validate()
        try clipping.validate()
    }
}

/// Stochastic gradient descent with L2 weight decay (the course notes' eta and lambda) and
/// optional momentum, plain or Nesterov's (Keras' `SGD(learning_rate, momentum, nesterov)`), on
/// ConvKit's ``ConvKit/OptimizerKernels/sgd(weights:gradient:velocity:learningRate:momentum:weightDecay:context:)``.
///
/// Keras: `SGD(learning_rate=0.1, momentum=0.9, nesterov=True)`; ConvNN:
/// `SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)`.
public final class SGD: ScheduledOptimizer {
    public let learningRate: LearningRateSchedule
    /// Keras' clipnorm, global_clipnorm and clipvalue.
    public let clipping: GradientClipping
    public let momentum: Float
    public let nesterov: Bool
    public let weightDecay: Float
    private var velocities: [ObjectIdentifier: UnsafeMutableBufferPointer<Float>] = [:]

    public init(
        learningRate: LearningRateSchedule = 0.01, momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0, clipNorm: Float? = nil,
        globalClipNorm: Float? = nil, clipValue: Float? = nil
    ) {
        self.learningRate = learningRate
        clipping = GradientClipping(clipNorm: clipNorm, globalClipNorm: globalClipNorm, clipValue: clipValue)
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    deinit { for v in velocities.values { UnsafeMutableRawPointer(v.baseAddress!).deallocate() } }

    /// The velocity of `p` (zeros until the first update).
    func velocity(for p: Parameter) -> UnsafeMutableBufferPointer<Float> {
        if let v = velocities[ObjectIdentifier(p)] { return v }
        let v = Parameter.allocate(p.count)
        velocities[ObjectIdentifier(p)] = v
        return v
    }

    public func update(_ parameters: [Parameter], step: Int) throws {
        try clipping.apply(to: parameters)
        let lr = learningRate.rate(atIteration: step - 1)
        for p in parameters {
            let velocity = momentum != 0 ? self.velocity(for: p) : nil
            if nesterov, let velocity {
                try OptimizerKernels.sgdNesterov(
                    weights: p.value, gradient: UnsafeBufferPointer(p.gradient), velocity: velocity,
                    learningRate: lr, momentum: momentum, weightDecay: weightDecay)
                continue
            }
            try OptimizerKernels.sgd(
                weights: p.value, gradient: UnsafeBufferPointer(p.gradient), velocity: velocity,
                learningRate: lr, momentum: momentum, weightDecay: weightDecay)
        }
    }
}

/// Adam with Keras' defaults (learning rate 1e-3, beta1 0.9, beta2 0.999, epsilon 1e-7) and
/// Keras' update form, on ConvKit's ``ConvKit/OptimizerKernels/adam(weights:gradient:m:v:learningRate:beta1:beta2:epsilon:step:)``.
public final class Adam: ScheduledOptimizer {
    public let learningRate: LearningRateSchedule, beta1: Float, beta2: Float, epsilon: Float
    /// Keras' clipnorm, global_clipnorm and clipvalue.
    public let clipping: GradientClipping
    private var moments: [ObjectIdentifier: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>)] = [:]

    public init(
        learningRate: LearningRateSchedule = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7, clipNorm: Float? = nil,
        globalClipNorm: Float? = nil, clipValue: Float? = nil
    ) {
        self.learningRate = learningRate
        clipping = GradientClipping(clipNorm: clipNorm, globalClipNorm: globalClipNorm, clipValue: clipValue)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    deinit {
        for (m, v) in moments.values {
            UnsafeMutableRawPointer(m.baseAddress!).deallocate()
            UnsafeMutableRawPointer(v.baseAddress!).deallocate()
        }
    }

    /// The first and second moments of `p` (zeros until the first update).
    func moments(for p: Parameter) -> (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) {
        if let mv = moments[ObjectIdentifier(p)] { return mv }
        let mv = (Parameter.allocate(p.count), Parameter.allocate(p.count))
        moments[ObjectIdentifier(p)] = mv
        return mv
    }

    public func update(_ parameters: [Parameter], step: Int) throws {
        try clipping.apply(to: parameters)
        let lr = learningRate.rate(atIteration: step - 1)
        for p in parameters {
            let (m, v) = moments(for: p)
            try OptimizerKernels.adam(
                weights: p.value, gradient: UnsafeBufferPointer(p.gradient), m: m, v: v,
                learningRate: lr, beta1: beta1, beta2: beta2, epsilon: epsilon, step: step)
        }
    }
}
