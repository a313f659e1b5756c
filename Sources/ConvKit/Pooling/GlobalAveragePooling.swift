internal import ConvKitKernels

/// Global average pooling over NHWC images: `output[n][c]` = mean over all `H x W` positions,
/// the special case of average pooling whose window is the whole image (one vectorised channel
/// sum per image instead of a window loop).
public enum GlobalAveragePooling {
    /// `output` (`batch * channels` floats) := per-image channel means of `input` (`batch * height * width * channels`).
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for sizes below 1 or buffers of the wrong length.
    public static func forward(
        input: UnsafeBufferPointer<Float>, batch: Int, height: Int, width: Int, channels: Int,
        output: UnsafeMutableBufferPointer<Float>, context: ExecutionContext? = nil
    ) throws {
        let hw = try check(batch, height, width, channels, input.count, output.count)
        try ConvKitError.requireDisjoint(("output", UnsafeRawBufferPointer(output)), from: ("input", UnsafeRawBufferPointer(input)))
        let context = try context ?? ExecutionContext.fromEnvironment()
        let threads = Parallel.availableThreads(context.threads), sumRows = context.kernels.elementwise.sumRows
        let args = UncheckedSendableBox((input.baseAddress!, output.baseAddress!))
        Parallel.forEach(batch, threads: threads) { n in
            let (x, y) = args.value
            sumRows(hw, channels, x + n * hw * channels, channels, y + n * channels, 0)
            let scale = 1 / Float(hw)
            for c in 0..<channels { y[n * channels + c] *= scale }
        }
    }

    /// `inputGradient` := `outputGradient[n][c] / (height * width)` at every position.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` for sizes below 1 or buffers of the wrong length.
    public static func backward(
        outputGradient: UnsafeBufferPointer<Float>, batch: Int, height: Int, width: Int, channels: Int,
        inputGradient: UnsafeMutableBufferPointer<Float>, context: ExecutionContext? = nil
    ) throws {
        let hw = try check(batch, height, width, channels, inputGradient.count, outputGradient.count)
        try ConvKitError.requireDisjoint(
            ("inputGradient", UnsafeRawBufferPointer(inputGradient)),
            from: ("outputGradient", UnsafeRawBufferPointer(outputGradient)))
        let threads = Parallel.availableThreads(try (context ?? ExecutionContext.fromEnvironment()).threads)
        let args = UncheckedSendableBox((outputGradient.baseAddress!, inputGradient.baseAddress!))
        Parallel.forEach(batch, threads: threads) { n in
            let (g, d) = args.value
            let scale = 1 / Float(hw)
            for p in 0..<hw {
                for c in 0..<channels { d[(n * hw + p) * channels + c] = g[n * channels + c] * scale }
            }
        }
    }

    private static func check(_ n: Int, _ h: Int, _ w: Int, _ c: Int, _ big: Int, _ small: Int) throws -> Int {
        guard min(n, h, w, c) >= 1 else {
            throw ConvKitError.invalidArgument(name: "shape", message: "batch, height, width and channels must be >= 1, got \(n), \(h), \(w), \(c)")
        }
        let total = try ConvKitError.checkedProduct("shape", "elements (n x h x w x c)", [n, h, w, c])
        guard big == total else {
            throw ConvKitError.invalidArgument(name: "input", message: "has \(big) elements, expected \(n * h * w * c) (\(n) x \(h) x \(w) x \(c))")
        }
        guard small == n * c else {
            throw ConvKitError.invalidArgument(name: "output", message: "has \(small) elements, expected \(n * c) (\(n) x \(c))")
        }
        return h * w
    }
}
