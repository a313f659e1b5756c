internal import ConvKitKernels

/// Shared machinery of the pooling kernels: NHWC work items and NCHW conversion.
enum PoolingRunner {
    /// Output rows per forward work item (whole images when the batch gives the threads enough).
    static func bandRows(_ s: PoolingShape, threads: Int) -> Int {
        let bands = min(s.outputHeight, max(1, ceilDiv(4 * threads, s.batch)))
        return ceilDiv(s.outputHeight, bands)
    }

    /// Runs `body(image, oh0, oh1)` over bands of output rows of every image, in parallel.
    static func forEachBand(_ s: PoolingShape, threads: Int, _ body: (Int, Int, Int) -> Void) {
        let band = bandRows(s, threads: threads), bands = ceilDiv(s.outputHeight, band)
        Parallel.forEach(s.batch * bands, threads: threads) { item in
            let n = item / bands, oh0 = (item % bands) * band
            body(n, oh0, min(s.outputHeight, oh0 + band))
        }
    }

    /// Floats of workspace a call needs (NCHW conversions only).
    static func workspaceCount(_ s: PoolingShape, indices: Bool) -> Int {
        s.layout == .nhwc ? 0 : roundUp(s.inputCount, 16) + roundUp(s.outputCount, 16) * (indices ? 2 : 1)
    }

    static func toNHWC(_ src: UnsafePointer<Float>, n: Int, c: Int, hw: Int, _ dst: UnsafeMutablePointer<Float>) {
        for i in 0..<n { ck_f32_transpose(c, hw, src + i * c * hw, hw, dst + i * c * hw, c) }
    }

    static func toNCHW(_ src: UnsafePointer<Float>, n: Int, c: Int, hw: Int, _ dst: UnsafeMutablePointer<Float>) {
        for i in 0..<n { ck_f32_transpose(hw, c, src + i * c * hw, c, dst + i * c * hw, hw) }
    }

    static func indicesToNHWC(_ src: UnsafePointer<Int32>, n: Int, c: Int, hw: Int, _ dst: UnsafeMutablePointer<Int32>) {
        src.withMemoryRebound(to: UInt32.self, capacity: n * c * hw) { s in
            dst.withMemoryRebound(to: UInt32.self, capacity: n * c * hw) { d in
                for i in 0..<n { ck_x32_transpose(c, hw, s + i * c * hw, hw, d + i * c * hw, c) }
            }
        }
    }

    static func indicesToNCHW(_ src: UnsafePointer<Int32>, n: Int, c: Int, hw: Int, _ dst: UnsafeMutablePointer<Int32>) {
        src.withMemoryRebound(to: UInt32.self, capacity: n * c * hw) { s in
            dst.withMemoryRebound(to: UInt32.self, capacity: n * c * hw) { d in
                for i in 0..<n { ck_x32_transpose(hw, c, s + i * c * hw, c, d + i * c * hw, hw) }
            }
        }
    }

    static func check(_ name: String, _ count: Int, _ expected: Int, _ s: PoolingShape) throws {
        guard count == expected else {
            throw ConvKitError.invalidArgument(name: name, message: "has \(count) elements but the pooling shape \(s) needs \(expected)")
        }
    }
}
