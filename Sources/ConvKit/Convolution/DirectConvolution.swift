internal import ConvKitKernels

/// The NHWC problem the direct kernels run: a convolution with stride and dilation over a source
/// image that is virtually padded (pads may be negative: cropping) and zero-inserted
/// (`insertY/X > 1`, used to turn a strided backward-data pass into a stride-1 convolution).
///
/// Forward is this problem on the input; backward-data is this problem on dL/dOutput with the
/// kernel flipped and its channel axes swapped (see ``backwardDataProblem(_:)``).
struct DirectProblem {
    var batch: Int
    var sourceHeight: Int, sourceWidth: Int, sourceChannels: Int
    var insertY: Int, insertX: Int
    var padTop: Int, padLeft: Int
    var outputHeight: Int, outputWidth: Int, outputChannels: Int
    var kernelHeight: Int, kernelWidth: Int
    var strideY: Int, strideX: Int, dilationY: Int, dilationX: Int
    var groups: Int

    var groupInputChannels: Int { sourceChannels / groups }
    var groupOutputChannels: Int { outputChannels / groups }
    /// Reduction length per output: `kernelHeight * kernelWidth * groupInputChannels`.
    var depth: Int { kernelHeight * kernelWidth * groupInputChannels }
    /// Rows and columns of the padded source that the output reads.
    var neededHeight: Int { (outputHeight - 1) * strideY + (kernelHeight - 1) * dilationY + 1 }
    var neededWidth: Int { (outputWidth - 1) * strideX + (kernelWidth - 1) * dilationX + 1 }
    /// Whether every tap reads inside the source as stored, so no padded copy is needed.
    var readsInPlace: Bool {
        insertY == 1 && insertX == 1 && padTop == 0 && padLeft == 0
            && neededHeight <= sourceHeight && neededWidth <= sourceWidth
    }
    /// Floats between consecutive rows of the image the kernels read.
    var rowStride: Int { (readsInPlace ? sourceWidth : neededWidth) * sourceChannels }
    /// One contiguous segment per kernel row when a kernel row's taps are adjacent in memory.
    var segmentsAreRows: Bool { groups == 1 && dilationX == 1 }
    var segmentCount: Int { segmentsAreRows ? kernelHeight : kernelHeight * kernelWidth }
    var segmentLength: Int { segmentsAreRows ? kernelWidth * sourceChannels : groupInputChannels }

    /// The kernel rows `ky` whose taps can read a stored source row (not padding, not an inserted
    /// zero row) for output row `oy`: the hull from the first to the last such row, empty when
    /// every tap of the row reads zeros.
    func kernelRows(outputRow oy: Int) -> Range<Int> {
        var first = -1, last = -1
        for ky in 0..<kernelHeight {
            guard Self.isStored(oy * strideY + ky * dilationY - padTop, insert: insertY, size: sourceHeight) else { continue }
            if first < 0 { first = ky }
            last = ky
        }
        return first < 0 ? 0..<0 : first..<(last + 1)
    }

    /// The segments output row `oy` reads (in segment order): those of ``kernelRows(outputRow:)``.
    /// The others read only zeros, so the kernels skip them; every pixel of a row skips the same
    /// ones, which keeps each pixel's sum independent of how the rows are tiled.
    func segments(outputRow oy: Int) -> Range<Int> {
        let rows = kernelRows(outputRow: oy)
        return segmentsAreRows ? rows : (rows.lowerBound * kernelWidth)..<(rows.upperBound * kernelWidth)
    }

    /// The share of the taps the direct kernel runs that read stored source pixels. It skips the
    /// kernel rows that read only zeros (``segments(outputRow:)``), not columns, so this is the
    /// column share: taps `(ox, kx)` that land on a stored source column over `Wo * Kw`.
    var usefulTapFraction: Double {
        var useful = 0
        for ox in 0..<outputWidth {
            for kx in 0..<kernelWidth
            where Self.isStored(ox * strideX + kx * dilationX - padLeft, insert: insertX, size: sourceWidth) {
                useful += 1
            }
        }
        return Double(useful) / Double(max(1, outputWidth * kernelWidth))
    }

    /// Whether row or column `position` of the padded, zero-inserted source (counted from the
    /// first stored one) holds a stored element of a source `size` long with `insert - 1` zeros
    /// between elements.
    private static func isStored(_ position: Int, insert: Int, size: Int) -> Bool {
        position >= 0 && position % insert == 0 && position / insert < size
    }

    init(forward s: ConvolutionShape) {
        batch = s.batch
        sourceHeight = s.inputHeight
        sourceWidth = s.inputWidth
        sourceChannels = s.inputChannels
        insertY = 1
        insertX = 1
        padTop = s.padTop
        padLeft = s.padLeft
        outputHeight = s.outputHeight
        outputWidth = s.outputWidth
        outputChannels = s.outputChannels
        kernelHeight = s.kernelHeight
        kernelWidth = s.kernelWidth
        strideY = s.descriptor.strideY
        strideX = s.descriptor.strideX
        dilationY = s.descriptor.dilationY
        dilationX = s.descriptor.dilationX
        groups = s.groups
    }

    /// dL/dInput[iy] = sum_k' P[iy + k'd] w[K-1-k'], where P is dL/dOutput with `stride - 1`
    /// zeros inserted between pixels and `(K-1)d - padBefore` rows in front (negative: cropped).
    init(backwardData s: ConvolutionShape) {
        self.init(forward: s)
        sourceHeight = s.outputHeight
        sourceWidth = s.outputWidth
        sourceChannels = s.outputChannels
        insertY = s.descriptor.strideY
        insertX = s.descriptor.strideX
        padTop = (s.kernelHeight - 1) * s.descriptor.dilationY - s.padTop
        padLeft = (s.kernelWidth - 1) * s.descriptor.dilationX - s.padLeft
        outputHeight = s.inputHeight
        outputWidth = s.inputWidth
        outputChannels = s.inputChannels
        strideY = 1
        strideX = 1
    }
}

/// Direct convolution: register-blocked kernels over output pixels x output channels that read
/// the (padded where needed) input in place. Workspace: packed weights, per-worker padded rows
/// and pixel pointers, and for backward-weights the per-chunk partial sums.
enum DirectConvolution {
    static func panels(_ p: DirectProblem, _ kernel: DirectConvolutionKernel) -> Int {
        ceilDiv(p.groupOutputChannels, kernel.nr)
    }

    /// Packed weight panels: `[group][panel][depth][nr]`, zero-padded past the group's channels.
    static func packedWeightCount(_ p: DirectProblem, _ kernel: DirectConvolutionKernel) -> Int {
        p.groups * panels(p, kernel) * p.depth * kernel.nr
    }

    /// Packs HWIO weights (`[kh][kw][cin/groups][cout]`) for the forward pass.
    static func packForward(
        _ p: DirectProblem, _ kernel: DirectConvolutionKernel,
        weights: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>
    ) {
        let nr = kernel.nr, depth = p.depth, cog = p.groupOutputChannels, cout = p.outputChannels
        let panelCount = panels(p, kernel)
        for g in 0..<p.groups {
            for q in 0..<panelCount {
                let dst = packed + (g * panelCount + q) * depth * nr
                let c0 = g * cog + q * nr, width = min(nr, cog - q * nr)
                for k in 0..<depth {
                    let row = dst + k * nr, src = weights + k * cout + c0
                    for j in 0..<width { row[j] = src[j] }
                    for j in width..<nr { row[j] = 0 }
                }
            }
        }
    }

    /// Packs HWIO weights of the convolution `s` for its backward-data problem: flipped kernel,
    /// input and output channels swapped within each group.
    static func packBackwardData(
        _ s: ConvolutionShape, _ p: DirectProblem, _ kernel: DirectConvolutionKernel,
        weights: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>
    ) {
        let nr = kernel.nr, kh = s.kernelHeight, kw = s.kernelWidth
        let cig = s.groupInputChannels, cog = s.groupOutputChannels, cout = s.outputChannels
        let panelCount = panels(p, kernel)  // panels over cig (the backward problem's outputs)
        for g in 0..<s.groups {
            for q in 0..<panelCount {
                let dst = packed + (g * panelCount + q) * p.depth * nr
                let width = min(nr, cig - q * nr)
                for ky in 0..<kh {
                    for kx in 0..<kw {
                        let tap = ((kh - 1 - ky) * kw + (kw - 1 - kx)) * cig
                        for co in 0..<cog {
                            let row = dst + ((ky * kw + kx) * cog + co) * nr
                            for j in 0..<width { row[j] = weights[(tap + q * nr + j) * cout + g * cog + co] }
                            for j in width..<nr { row[j] = 0 }
                        }
                    }
                }
            }
        }
    }

    /// Workspace floats of ``forward`` beyond the packed weights.
    static func forwardScratchCount(_ p: DirectProblem, _ kernel: DirectConvolutionKernel, threads: Int) -> Int {
        var layout = ScratchLayout()
        _ = carveForward(&layout, p, kernel, threads: threads)
        return layout.count
    }

    /// Per-call scratch: one region per worker at a fixed stride (no Swift arrays, so carving
    /// allocates nothing).
    private struct ForwardScratch {
        let segmentOffsets: UnsafeMutablePointer<Int>  // [groups][segmentCount]
        let paddedBase: UnsafeMutablePointer<Float>, paddedStride: Int
        let pixelsBase: UnsafeMutablePointer<UnsafePointer<Float>?>, pixelsStride: Int
        func padded(_ worker: Int) -> UnsafeMutablePointer<Float> { paddedBase + worker * paddedStride }
        func pixels(_ worker: Int) -> UnsafeMutablePointer<UnsafePointer<Float>?> { pixelsBase + worker * pixelsStride }
    }

    private static func carveForward(
        _ layout: inout ScratchLayout, _ p: DirectProblem,
        _ kernel: DirectConvolutionKernel, threads: Int
    ) -> ForwardScratch {
        let rowBands = RowBands(rows: p.outputHeight, images: p.batch, threads: threads), band = rowBands.rows
        let workers = Parallel.workerCount(items: rowBands.count, threads: threads)
        let offsets = layout.take(2 * p.groups * p.segmentCount)
        let paddedRows = (band - 1) * p.strideY + (p.kernelHeight - 1) * p.dilationY + 1
        let paddedStride = roundUp(p.readsInPlace ? 0 : paddedRows * p.neededWidth * p.sourceChannels, 16)
        let pixelsStride = roundUp(band * p.outputWidth, 8)  // pointers; 8 of them fill 16 floats
        let padded = layout.take(workers * paddedStride)
        let pixels = UnsafeMutableRawPointer(layout.take(2 * workers * pixelsStride))
            .bindMemory(to: UnsafePointer<Float>?.self, capacity: workers * pixelsStride)
        return ForwardScratch(
            segmentOffsets: UnsafeMutableRawPointer(offsets).bindMemory(to: Int.self, capacity: p.groups * p.segmentCount),
            paddedBase: padded, paddedStride: paddedStride, pixelsBase: pixels, pixelsStride: pixelsStride)
    }

    /// out[n, oy, ox, co] = act(bias[co] + sum of taps) for the problem `p` (NHWC), with weights
    /// packed by ``packForward`` or ``packBackwardData``. `scratch` holds at least
    /// ``forwardScratchCount(_:_:threads:)`` floats.
    static func forward(
        _ p: DirectProblem, kernel: DirectConvolutionKernel, source: UnsafePointer<Float>,
        packedWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, activation: Activation,
        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int
    ) {
        var layout = ScratchLayout(base: scratch)
        let s = carveForward(&layout, p, kernel, threads: threads)
        let kind = activation.kernelKind
        let rowStride = p.rowStride, c = p.sourceChannels
        let nseg = p.segmentCount, segLen = p.segmentLength, cig = p.groupInputChannels
        for g in 0..<p.groups {
            for seg in 0..<nseg {
                let (ky, kx) = p.segmentsAreRows ? (seg, 0) : (seg / p.kernelWidth, seg % p.kernelWidth)
                s.segmentOffsets[g * nseg + seg] = ky * p.dilationY * rowStride + kx * p.dilationX * c + g * cig
            }
        }
        let rowBands = RowBands(rows: p.outputHeight, images: p.batch, threads: threads)
        let panelCount = panels(p, kernel), nr = kernel.nr, mr = kernel.mr
        let cog = p.groupOutputChannels, cout = p.outputChannels, ow = p.outputWidth
        let imageCount = p.sourceHeight * p.sourceWidth * c
        let args = UncheckedSendableBox((source, packedWeights, bias, output, s))
        Parallel.forEach(rowBands.count, threads: threads) { item, worker in
            let (source, packedWeights, bias, output, s) = args.value
            let (n, oy0, oy1) = rowBands.band(item)
            let image = source + n * imageCount
            let base: UnsafePointer<Float>
            if p.readsInPlace {
                base = image + oy0 * p.strideY * rowStride
            } else {
                let y0 = oy0 * p.strideY, y1 = (oy1 - 1) * p.strideY + (p.kernelHeight - 1) * p.dilationY + 1
                ck_f32_pad_nhwc(
                    image, p.sourceHeight, p.sourceWidth, c, p.insertY, p.insertX, p.padTop, p.padLeft,
                    y0, y1, p.neededWidth, s.padded(worker))
                base = UnsafePointer(s.padded(worker))
            }
            let pixelPointers = s.pixels(worker)
            var i = 0
            for oy in 0..<(oy1 - oy0) {
                let row = base + oy * p.strideY * rowStride
                for ox in 0..<ow {
                    pixelPointers[i] = row + ox * p.strideX * c
                    i += 1
                }
            }
            let outBase = output + (n * p.outputHeight + oy0) * ow * cout
            // Runs of rows reading the same segments (found once per band), each cut into tiles of
            // balanced size that never span two runs.
            withUnsafeTemporaryAllocation(of: (rows: Range<Int>, segments: Range<Int>).self, capacity: oy1 - oy0) { runs in
                var runCount = 0, rowStart = oy0
                while rowStart < oy1 {
                    let used = p.segments(outputRow: rowStart)
                    var rowEnd = rowStart + 1
                    while rowEnd < oy1 && p.segments(outputRow: rowEnd) == used { rowEnd += 1 }
                    runs[runCount] = (rowStart - oy0..<rowEnd - oy0, used)
                    runCount += 1
                    rowStart = rowEnd
                }
                for g in 0..<p.groups {
                    let offsets = UnsafePointer(s.segmentOffsets + g * nseg)
                    for q in 0..<panelCount {
                        let panel = packedWeights + (g * panelCount + q) * p.depth * nr
                        let c0 = g * cog + q * nr, width = min(nr, cog - q * nr)
                        let biasPanel = bias.map { $0 + c0 }
                        for (rows, used) in runs[0..<runCount] {
                            let first = rows.lowerBound * ow, count = rows.count * ow
                            let tiles = ceilDiv(count, mr)
                            for t in 0..<tiles {
                                let start = first + count * t / tiles, end = first + count * (t + 1) / tiles
                                kernel.forward(
                                    end - start, width, used.count, segLen, offsets + used.lowerBound,
                                    UnsafePointer(pixelPointers + start), panel + used.lowerBound * segLen * nr,
                                    outBase + start * cout + c0, cout, biasPanel, kind)
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: Backward weights

    /// Chunks of the batch whose weight gradients are summed separately and then reduced in
    /// order: a function of the work only (never of the thread count), so the bits of the result
    /// do not depend on the thread count.
    static func weightChunks(_ s: ConvolutionShape) -> Int {
        max(1, min(s.batch, 16, Int(s.flops / 32e6)))
    }

    static let tilesPerItem = 4

    static func backwardWeightsScratchCount(_ s: ConvolutionShape, _ kernel: DirectConvolutionKernel, threads: Int) -> Int {
        var layout = ScratchLayout()
        _ = carveBackwardWeights(&layout, s, kernel, threads: threads)
        return layout.count
    }

    private struct BackwardWeightsScratch {
        let kOffsets: UnsafeMutablePointer<Int>
        let partials: UnsafeMutablePointer<Float>  // [chunks][weightCount] (unused when one chunk)
        let biasPartials: UnsafeMutablePointer<Float>  // [chunks][cout]
        let paddedBase: UnsafeMutablePointer<Float>, paddedStride: Int
        func padded(_ worker: Int) -> UnsafeMutablePointer<Float> { paddedBase + worker * paddedStride }
    }

    private static func itemCount(_ s: ConvolutionShape, _ kernel: DirectConvolutionKernel) -> Int {
        let p = DirectProblem(forward: s)
        return weightChunks(s) * s.groups * ceilDiv(ceilDiv(p.depth, kernel.mr), tilesPerItem)
    }

    private static func carveBackwardWeights(
        _ layout: inout ScratchLayout, _ s: ConvolutionShape,
        _ kernel: DirectConvolutionKernel, threads: Int
    ) -> BackwardWeightsScratch {
        let p = DirectProblem(forward: s)
        let chunks = weightChunks(s)
        let workers = Parallel.workerCount(items: itemCount(s, kernel), threads: threads)
        let offsets = layout.take(2 * p.depth)
        let partials = layout.take(chunks > 1 ? chunks * s.weightCount : 0)
        let biasPartials = layout.take(chunks * s.outputChannels)
        let paddedStride = roundUp(p.readsInPlace ? 0 : p.neededHeight * p.neededWidth * p.sourceChannels, 16)
        let padded = layout.take(workers * paddedStride)
        return BackwardWeightsScratch(
            kOffsets: UnsafeMutableRawPointer(offsets).bindMemory(to: Int.self, capacity: p.depth),
            partials: partials, biasPartials: biasPartials, paddedBase: padded, paddedStride: paddedStride)
    }

    /// dW (HWIO) and db from the NHWC input and dL/dOutput of `s`.
    static func backwardWeights(
        _ s: ConvolutionShape, kernel: DirectConvolutionKernel, elementwise: ElementwiseKernels, input: UnsafePointer<Float>,
        outputGradient: UnsafePointer<Float>, weightGradient: UnsafeMutablePointer<Float>,
        biasGradient: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        let p = DirectProblem(forward: s)
        var layout = ScratchLayout(base: scratch)
        let sc = carveBackwardWeights(&layout, s, kernel, threads: threads)
        let rowStride = p.rowStride, c = p.sourceChannels, cig = p.groupInputChannels
        for k in 0..<p.depth {
            let tap = k / cig, ci = k % cig
            sc.kOffsets[k] = (tap / p.kernelWidth) * p.dilationY * rowStride + (tap % p.kernelWidth) * p.dilationX * c + ci
        }
        let chunks = weightChunks(s), mr = kernel.mr, nr = kernel.nr
        let tiles = ceilDiv(p.depth, mr), blocks = ceilDiv(tiles, tilesPerItem)
        let panelCount = panels(p, kernel), cog = p.groupOutputChannels, cout = s.outputChannels
        let imageCount = p.sourceHeight * p.sourceWidth * c
        let outImageCount = p.outputHeight * p.outputWidth * cout
        let args = UncheckedSendableBox((input, outputGradient, weightGradient, sc))
        Parallel.forEach(chunks * p.groups * blocks, threads: threads) { item, worker in
            let (input, outputGradient, weightGradient, sc) = args.value
            let chunk = item / (p.groups * blocks), g = (item / blocks) % p.groups, block = item % blocks
            let target = chunks > 1 ? sc.partials + chunk * s.weightCount : weightGradient
            let firstImage = chunk * s.batch / chunks, endImage = (chunk + 1) * s.batch / chunks
            for n in firstImage..<endImage {
                let base: UnsafePointer<Float>
                if p.readsInPlace {
                    base = input + n * imageCount
                } else {
                    ck_f32_pad_nhwc(
                        input + n * imageCount, p.sourceHeight, p.sourceWidth, c, 1, 1, p.padTop, p.padLeft,
                        0, p.neededHeight, p.neededWidth, sc.padded(worker))
                    base = UnsafePointer(sc.padded(worker))
                }
                let gradImage = outputGradient + n * outImageCount
                for tile in (block * tilesPerItem)..<min(tiles, (block + 1) * tilesPerItem) {
                    let k0 = tile * mr, m = min(mr, p.depth - k0)
                    for q in 0..<panelCount {
                        let c0 = g * cog + q * nr, width = min(nr, cog - q * nr)
                        kernel.backwardWeights(
                            m, width, p.outputHeight, p.outputWidth, base + g * cig,
                            p.strideY * rowStride, p.strideX * c, UnsafePointer(sc.kOffsets + k0),
                            gradImage + c0, p.outputWidth * cout, cout,
                            target + k0 * cout + c0, cout, n == firstImage ? 0 : 1)
                    }
                }
                if g == 0 && block == 0 {
                    elementwise.sumRows(
                        p.outputHeight * p.outputWidth, cout, gradImage, cout,
                        sc.biasPartials + chunk * cout, n == firstImage ? 0 : 1)
                }
            }
        }
        if chunks > 1 {
            reduce(count: s.weightCount, parts: chunks, partials: sc.partials, into: weightGradient, threads: threads)
        }
        if let biasGradient {
            ck_f32_sum_parts(cout, chunks, cout, sc.biasPartials, biasGradient)
        }
    }

    /// dst[i] = sum over parts in ascending order, in parallel over ranges of i.
    static func reduce(
        count: Int, parts: Int, partials: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>,
        threads: Int
    ) {
        let pieces = max(1, min(threads * 2, count / 16384))
        let args = UncheckedSendableBox((partials, dst))
        Parallel.forEach(pieces, threads: threads) { piece in
            let (partials, dst) = args.value
            let lo = piece * count / pieces, hi = (piece + 1) * count / pieces
            ck_f32_sum_parts(hi - lo, parts, count, partials + lo, dst + lo)
        }
    }
}
