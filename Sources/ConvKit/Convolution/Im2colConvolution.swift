internal import ConvKitKernels

/// Convolution by lowering (im2col / Toeplitz) and SGEMM, NHWC with HWIO weights.
///
/// The lowered matrix is never built whole: output pixels are processed in slices of
/// ``sliceRows(_:)`` rows of `kh * kw * cin / groups` floats, at most ``sliceBudget`` floats
/// (256 KiB) per slice and worker, so the workspace is bounded by `workers * sliceBudget` floats
/// plus, for backward-weights, one weight-sized partial sum per chunk. A 1x1, stride-1, unpadded
/// convolution needs no lowering: the input is the GEMM operand in place.
enum Im2colConvolution {
    /// Floats of one lowered slice.
    static let sliceBudget = 64 * 1024

    static func isPointwise(_ s: ConvolutionShape) -> Bool {
        s.kernelHeight == 1 && s.kernelWidth == 1 && s.descriptor.strideY == 1 && s.descriptor.strideX == 1
            && s.padTop == 0 && s.padLeft == 0 && s.padBottom == 0 && s.padRight == 0
    }

    static func depth(_ s: ConvolutionShape) -> Int { s.kernelHeight * s.kernelWidth * s.groupInputChannels }

    /// Output pixels per slice.
    static func sliceRows(_ s: ConvolutionShape) -> Int {
        max(16, sliceBudget / depth(s))
    }

    static func pixels(_ s: ConvolutionShape) -> Int { s.batch * s.outputHeight * s.outputWidth }

    private static func lower(
        _ s: ConvolutionShape, _ input: UnsafePointer<Float>, group g: Int, first p0: Int,
        count: Int, into col: UnsafeMutablePointer<Float>
    ) {
        let d = s.descriptor
        ck_f32_im2col_nhwc(
            input, s.inputHeight, s.inputWidth, s.inputChannels, g * s.groupInputChannels,
            s.groupInputChannels, s.outputHeight, s.outputWidth, s.kernelHeight, s.kernelWidth,
            d.strideY, d.strideX, d.dilationY, d.dilationX, s.padTop, s.padLeft, p0, count,
            col, depth(s))
    }

    /// Rows `[p0, p0 + count)` of group `g`'s lowered matrix and their stride: the input itself for
    /// a pointwise convolution, else lowered into `scratch`.
    private static func loweredRows(
        _ s: ConvolutionShape, _ input: UnsafePointer<Float>, group g: Int, first p0: Int,
        count: Int, scratch: UnsafeMutablePointer<Float>
    ) -> (UnsafePointer<Float>, Int) {
        if isPointwise(s) { return (input + p0 * s.inputChannels + g * s.groupInputChannels, s.inputChannels) }
        lower(s, input, group: g, first: p0, count: count, into: scratch)
        return (UnsafePointer(scratch), depth(s))
    }

    // MARK: Forward

    static func forwardScratchCount(_ s: ConvolutionShape, threads: Int) -> Int {
        if isPointwise(s) { return 0 }
        let items = ceilDiv(pixels(s), sliceRows(s))
        return Parallel.workerCount(items: items, threads: threads) * roundUp(sliceRows(s) * depth(s), 16)
    }

    /// The GEMM microkernel of each pass for `s` from `context` (its pinned kernel, else the
    /// plan's tile for the pass's full slice): chosen once, at planning, for every slice.
    static func gemmKernel(_ s: ConvolutionShape, _ pass: ConvolutionPass, context: ExecutionContext) -> GEMMMicrokernel {
        let rows = min(sliceRows(s), pixels(s))
        switch pass {
        case .forward:
            return context.gemmKernel(m: rows, n: s.groupOutputChannels, aRowMajor: true)
        case .backwardData:
            if isPointwise(s) { return context.gemmKernel(m: rows, n: s.groupInputChannels, aRowMajor: true) }
            return context.gemmKernel(m: backwardDataRows(s, backwardDataItems(s).imagesPerItem), n: depth(s), aRowMajor: true)
        case .backwardWeights:
            return context.gemmKernel(m: depth(s), n: s.groupOutputChannels, aRowMajor: false)
        }
    }

    static func forward(
        _ s: ConvolutionShape, kernel: GEMMMicrokernel, elementwise: ElementwiseKernels, input: UnsafePointer<Float>,
        weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: Activation,
        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let relu = activation == .relu, kind = activation.kernelKind, alpha = activation.defaultAlpha
        let rows = sliceRows(s), total = pixels(s), kd = depth(s)
        let cog = s.groupOutputChannels, cout = s.outputChannels, sliceFloats = roundUp(rows * kd, 16)
        let items = ceilDiv(total, rows)
        let args = UncheckedSendableBox((input, weights, bias, output, scratch))
        Parallel.forEach(items, threads: threads) { item, worker in
            let (input, weights, bias, output, scratch) = args.value
            let p0 = item * rows, count = min(rows, total - p0)
            let col = scratch + worker * sliceFloats
            for g in 0..<s.groups {
                let (a, lda) = loweredRows(s, input, group: g, first: p0, count: count, scratch: col)
                GEMM.run(
                    .noTranspose, .noTranspose, m: count, n: cog, k: kd, a: a, lda: lda,
                    b: weights + g * cog, ldb: cout, beta: 0, c: output + p0 * cout + g * cog, ldc: cout,
                    kernel: kernel, threads: 1)
            }
            if activation == .none || relu {
                if bias != nil || relu { elementwise.biasReLU(count, cout, output + p0 * cout, cout, bias, relu ? 1 : 0) }
            } else {
                // The activation on each row right after its bias (the elementwise kernels' bits).
                elementwise.biasActivation(count, cout, output + p0 * cout, cout, bias, kind, alpha)
            }
        }
    }

    // MARK: Backward data

    static func backwardDataScratchCount(_ s: ConvolutionShape, threads: Int) -> Int {
        if isPointwise(s) { return 0 }
        let (items, images) = backwardDataItems(s)
        return Parallel.workerCount(items: items, threads: threads) * roundUp(backwardDataRows(s, images) * depth(s), 16)
    }

    /// Work items of the backward-data pass and the whole images in each: as many as fit one slice
    /// together (at least one), so a small image's GEMM is not a few rows that pack the whole
    /// weight matrix. A function of the shape only.
    static func backwardDataItems(_ s: ConvolutionShape) -> (items: Int, imagesPerItem: Int) {
        let images = max(1, min(s.batch, sliceRows(s) / (s.outputHeight * s.outputWidth)))
        return (ceilDiv(s.batch, images), images)
    }

    /// Rows of one backward-data slice: whole images, or a slice of one large image.
    static func backwardDataRows(_ s: ConvolutionShape, _ imagesPerItem: Int) -> Int {
        min(sliceRows(s), imagesPerItem * s.outputHeight * s.outputWidth)
    }

    /// GEMM of dL/dOutput with the transposed weights into column form, then col2im. Work items
    /// are whole images, because col2im of neighbouring pixels adds into the same inputs.
    static func backwardData(
        _ s: ConvolutionShape, kernel: GEMMMicrokernel, outputGradient: UnsafePointer<Float>,
        weights: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let kd = depth(s), cig = s.groupInputChannels, cog = s.groupOutputChannels
        let cin = s.inputChannels, cout = s.outputChannels, d = s.descriptor
        if isPointwise(s) {
            let rows = sliceRows(s), total = pixels(s)
            let args = UncheckedSendableBox((outputGradient, weights, inputGradient))
            Parallel.forEach(ceilDiv(total, rows), threads: threads) { item in
                let (outputGradient, weights, inputGradient) = args.value
                let p0 = item * rows, count = min(rows, total - p0)
                for g in 0..<s.groups {
                    GEMM.run(
                        .noTranspose, .transpose, m: count, n: cig, k: cog, a: outputGradient + p0 * cout + g * cog,
                        lda: cout, b: weights + g * cog, ldb: cout, beta: 0,
                        c: inputGradient + p0 * cin + g * cig, ldc: cin, kernel: kernel, threads: 1)
                }
            }
            return
        }
        let perImage = s.outputHeight * s.outputWidth
        let (items, imagesPerItem) = backwardDataItems(s)
        let rows = backwardDataRows(s, imagesPerItem), sliceFloats = roundUp(rows * kd, 16)
        let imageCount = s.inputHeight * s.inputWidth * cin
        let args = UncheckedSendableBox((outputGradient, weights, inputGradient, scratch))
        Parallel.forEach(items, threads: threads) { item, worker in
            let (outputGradient, weights, inputGradient, scratch) = args.value
            let col = scratch + worker * sliceFloats
            let n0 = item * imagesPerItem, n1 = min(s.batch, n0 + imagesPerItem)
            (inputGradient + n0 * imageCount).initialize(repeating: 0, count: (n1 - n0) * imageCount)
            var p0 = n0 * perImage
            while p0 < n1 * perImage {
                let count = min(rows, n1 * perImage - p0)
                for g in 0..<s.groups {
                    GEMM.run(
                        .noTranspose, .transpose, m: count, n: kd, k: cog, a: outputGradient + p0 * cout + g * cog,
                        lda: cout, b: weights + g * cog, ldb: cout, beta: 0, c: col, ldc: kd,
                        kernel: kernel, threads: 1)
                    ck_f32_col2im_nhwc(
                        col, kd, p0, count, inputGradient, s.inputHeight, s.inputWidth, cin, g * cig, cig,
                        s.outputHeight, s.outputWidth, s.kernelHeight, s.kernelWidth,
                        d.strideY, d.strideX, d.dilationY, d.dilationX, s.padTop, s.padLeft)
                }
                p0 += count
            }
        }
    }

    // MARK: Backward weights

    /// Chunks of pixels whose products are summed separately, then reduced in order (a function
    /// of the work only, never of the thread count).
    static func weightChunks(_ s: ConvolutionShape) -> Int {
        max(1, min(ceilDiv(pixels(s), sliceRows(s)), 16, Int(s.flops / 16e6)))
    }

    static func backwardWeightsScratchCount(_ s: ConvolutionShape, threads: Int) -> Int {
        let chunks = weightChunks(s)
        let workers = Parallel.workerCount(items: chunks, threads: threads)
        let lowered = isPointwise(s) ? 0 : workers * roundUp(sliceRows(s) * depth(s), 16)
        return lowered + (chunks > 1 ? roundUp(chunks * s.weightCount, 16) : 0) + roundUp(chunks * s.outputChannels, 16)
    }

    /// dW (HWIO) += lowered(input)^T x dL/dOutput over the slices of each chunk; then the chunk
    /// sums are reduced in chunk order.
    static func backwardWeights(
        _ s: ConvolutionShape, kernel: GEMMMicrokernel, elementwise: ElementwiseKernels, input: UnsafePointer<Float>,
        outputGradient: UnsafePointer<Float>, weightGradient: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        let chunks = weightChunks(s), rows = sliceRows(s), total = pixels(s), kd = depth(s)
        let cog = s.groupOutputChannels, cout = s.outputChannels, pointwise = isPointwise(s)
        let workers = Parallel.workerCount(items: chunks, threads: threads)
        let sliceFloats = roundUp(rows * kd, 16)
        var layout = ScratchLayout(base: scratch)
        let lowered = layout.take(pointwise ? 0 : workers * sliceFloats)
        let partials = layout.take(chunks > 1 ? chunks * s.weightCount : 0)
        let biasPartials = layout.take(chunks * cout)
        // One chunk: run it outside a parallel region so its GEMMs may use the threads.
        let gemmThreads = chunks == 1 ? threads : 1
        let args = UncheckedSendableBox((input, outputGradient, weightGradient, lowered, partials, biasPartials))
        let body: (Int, Int) -> Void = { chunk, worker in
            let (input, outputGradient, weightGradient, lowered, partials, biasPartials) = args.value
            let target = chunks > 1 ? partials + chunk * s.weightCount : weightGradient
            let col = lowered + worker * sliceFloats
            let begin = chunk * total / chunks, end = (chunk + 1) * total / chunks
            var p0 = begin
            while p0 < end {
                let count = min(rows, end - p0)
                for g in 0..<s.groups {
                    let (a, lda) = loweredRows(s, input, group: g, first: p0, count: count, scratch: col)
                    GEMM.run(
                        .transpose, .noTranspose, m: kd, n: cog, k: count, a: a, lda: lda,
                        b: outputGradient + p0 * cout + g * cog, ldb: cout, beta: p0 == begin ? 0 : 1,
                        c: target + g * cog, ldc: cout, kernel: kernel, threads: gemmThreads)
                }
                elementwise.sumRows(
                    count, cout, outputGradient + p0 * cout, cout, biasPartials + chunk * cout,
                    p0 == begin ? 0 : 1)
                p0 += count
            }
        }
        if chunks == 1 {
            body(0, 0)
        } else {
            Parallel.forEach(chunks, threads: threads, body)
            DirectConvolution.reduce(
                count: s.weightCount, parts: chunks, partials: partials, into: weightGradient,
                threads: threads)
        }
        if let biasGradient {
            ck_f32_sum_parts(cout, chunks, cout, biasPartials, biasGradient)
        }
    }
}
