import ConvKit

/// The CNN of the Keras CIFAR-10 tutorial: Conv2D(32, 3x3, ReLU) -> MaxPool 2x2 ->
/// Conv2D(64, 3x3, ReLU) -> MaxPool 2x2 -> Conv2D(64, 3x3, ReLU) -> Flatten -> Dense(64, ReLU)
/// -> Dense(10) logits; 122,570 parameters, Glorot-uniform kernels and zero biases.
public enum KerasTutorialCNN {
    public static func make(seed: UInt64 = 0, context: ExecutionContext? = nil) throws -> Sequential {
        try Sequential(input: CIFAR10.shape, seed: seed, context: context) {
            try Conv2D(filters: 32, kernelSize: 3, activation: .relu)
            try MaxPool2D(poolSize: 2)
            try Conv2D(filters: 64, kernelSize: 3, activation: .relu)
            try MaxPool2D(poolSize: 2)
            try Conv2D(filters: 64, kernelSize: 3, activation: .relu)
            Flatten()
            try Dense(units: 64, activation: .relu)
            try Dense(units: 10)
        }
    }
}
