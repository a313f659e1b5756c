internal import ConvKitKernels

/// The rectifier `max(x, 0)` (NaN stays NaN) and its gradient. Elementwise, so any partition
/// of the work gives the same bits.
public enum ReLUKernel {
    static let chunk = 1 << 16

    /// `output[i] = max(input[i], 0)`; `input` and `output` may be the same buffer (in place).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the lengths differ.
    public static func forward(
        _ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
        context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("input", input.count), ("output", output.count))
        let context = try context ?? ExecutionContext.fromEnvironment()
        let relu = context.kernels.elementwise.relu
        try run(input.count, context) { lo, hi in relu(hi - lo, input.baseAddress! + lo, output.baseAddress! + lo) }
    }

    /// `inputGradient[i] = output[i] > 0 ? outputGradient[i] : 0`, from the forward's `output`;
    /// `outputGradient` and `inputGradient` may be the same buffer.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` when the lengths differ.
    public static func backward(
        output: UnsafeBufferPointer<Float>, outputGradient: UnsafeBufferPointer<Float>,
        inputGradient: UnsafeMutableBufferPointer<Float>, context: ExecutionContext? = nil
    ) throws {
        try checkSameCount(("output", output.count), ("outputGradient", outputGradient.count), ("inputGradient", inputGradient.count))
        let context = try context ?? ExecutionContext.fromEnvironment()
        let reluBackward = context.kernels.elementwise.reluBackward
        try run(output.count, context) { lo, hi in
            reluBackward(hi - lo, output.baseAddress! + lo, outputGradient.baseAddress! + lo, inputGradient.baseAddress! + lo)
        }
    }

    static func run(_ count: Int, _ context: ExecutionContext, _ body: (Int, Int) -> Void) throws {
        guard count > 0 else { return }
        let threads = Parallel.availableThreads(context.threads)
        Parallel.forEach(ceilDiv(count, chunk), threads: threads) { i in
            body(i * chunk, min(count, (i + 1) * chunk))
        }
    }
}

/// Throws unless every buffer has the first one's element count, naming the first that differs.
/// Fixed arities rather than a variadic list: a kernel's call path allocates nothing.
func checkSameCount(_ a: (String, Int), _ b: (String, Int)) throws {
    guard b.1 == a.1 else {
        throw ConvKitError.invalidArgument(name: b.0, message: "has \(b.1) elements but '\(a.0)' has \(a.1); they must match")
    }
}

func checkSameCount(_ a: (String, Int), _ b: (String, Int), _ c: (String, Int)) throws {
    try checkSameCount(a, b)
    try checkSameCount(a, c)
}

func checkSameCount(_ a: (String, Int), _ b: (String, Int), _ c: (String, Int), _ d: (String, Int)) throws {
    try checkSameCount(a, b, c)
    try checkSameCount(a, d)
}
