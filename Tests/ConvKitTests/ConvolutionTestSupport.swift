import ConvKit
import ConvKitReference
import Testing

/// Random convolution shapes within the tested ranges (batch 1-4, channels 1-70, input
/// 1-33, kernel 1-7, stride 1-3, dilation 1-3, every padding mode, groups), rejecting those
/// whose reference run would be too slow for a unit test. Seeded: the same list every run.
func randomConvolutionShapes(count: Int, seed: UInt64, maxMACs: Int = 400_000) -> [ConvolutionShape] {
    var g = TestGenerator(seed: seed)
    var shapes: [ConvolutionShape] = []
    while shapes.count < count {
        let groups = [1, 1, 1, 2, 3, 0].randomElement(using: &g)!  // 0: depthwise
        let cinBase = Int.random(in: 1...70, using: &g)
        let coutBase = Int.random(in: 1...70, using: &g)
        let (cin, cout, gcount): (Int, Int, Int)
        if groups == 0 {
            (cin, cout, gcount) = (cinBase, cinBase * Int.random(in: 1...2, using: &g), cinBase)
        } else {
            (cin, cout, gcount) = (max(1, cinBase / groups) * groups, max(1, coutBase / groups) * groups, groups)
        }
        let padding: Padding =
            switch Int.random(in: 0..<3, using: &g) {
            case 0: .valid
            case 1: .same
            default:
                .explicit(
                    top: Int.random(in: 0...3, using: &g), bottom: Int.random(in: 0...3, using: &g),
                    left: Int.random(in: 0...3, using: &g), right: Int.random(in: 0...3, using: &g))
            }
        guard
            let descriptor = try? ConvolutionDescriptor(
                kernelHeight: Int.random(in: 1...7, using: &g), kernelWidth: Int.random(in: 1...7, using: &g),
                strideY: Int.random(in: 1...3, using: &g), strideX: Int.random(in: 1...3, using: &g),
                dilationY: Int.random(in: 1...3, using: &g), dilationX: Int.random(in: 1...3, using: &g),
                padding: padding, groups: gcount),
            let shape = try? ConvolutionShape(
                batch: Int.random(in: 1...4, using: &g), inputHeight: Int.random(in: 1...33, using: &g),
                inputWidth: Int.random(in: 1...33, using: &g), inputChannels: cin, outputChannels: cout,
                descriptor: descriptor)
        else { continue }
        if Int(shape.flops / 2) <= maxMACs { shapes.append(shape) }
    }
    return shapes
}

/// Hand-picked edge cases: kernel as large as the padded input, 1x1 input, stride larger than
/// the kernel, 1x1 pointwise, Cin = 3 first layers, channel counts just past a tile.
func edgeConvolutionShapes() throws -> [ConvolutionShape] {
    func shape(_ n: Int, _ h: Int, _ w: Int, _ c: Int, _ o: Int, _ d: ConvolutionDescriptor) throws -> ConvolutionShape {
        try ConvolutionShape(batch: n, inputHeight: h, inputWidth: w, inputChannels: c, outputChannels: o, descriptor: d)
    }
    return [
        try shape(2, 5, 5, 3, 4, ConvolutionDescriptor(kernel: 5)),  // kernel = input
        try shape(1, 3, 4, 5, 6, ConvolutionDescriptor(kernelHeight: 5, kernelWidth: 6, padding: .symmetric(1, 1))),  // kernel = padded input
        try shape(2, 1, 1, 7, 9, ConvolutionDescriptor(kernel: 1)),  // 1x1 input
        try shape(1, 1, 1, 4, 5, ConvolutionDescriptor(kernel: 3, padding: .same)),  // 1x1 input, same
        try shape(2, 9, 10, 4, 33, ConvolutionDescriptor(kernel: 2, stride: 3)),  // stride > kernel
        try shape(2, 6, 7, 17, 35, ConvolutionDescriptor(kernel: 1)),  // pointwise
        try shape(2, 12, 12, 3, 32, ConvolutionDescriptor(kernel: 3)),  // first CIFAR layer
        try shape(2, 7, 7, 33, 17, ConvolutionDescriptor(kernel: 3, padding: .same)),
        try shape(1, 8, 8, 6, 6, ConvolutionDescriptor(kernel: 3, padding: .same, groups: 6)),  // depthwise
        try shape(2, 11, 9, 16, 64, ConvolutionDescriptor(kernel: 3, stride: 2, padding: .same)),  // stride 2, same (asymmetric)
        try shape(1, 10, 10, 8, 8, ConvolutionDescriptor(kernel: 3, dilation: 2, padding: .same)),
        // Output rows 0-2 and 8-9 read only padding (bias alone), rows 3 and 7 one kernel row:
        // the direct kernels skip the kernel rows that read only zeros.
        try shape(
            2, 4, 5, 9, 20,
            ConvolutionDescriptor(
                kernelHeight: 2, kernelWidth: 3,
                padding: .explicit(top: 4, bottom: 3, left: 0, right: 2))),
        // Strided and dilated: backward-data's zero-inserted rows make the kernel rows a row needs
        // non-contiguous.
        try shape(1, 9, 8, 10, 36, ConvolutionDescriptor(kernel: 3, stride: 2, dilation: 2, padding: .same)),
    ]
}

/// Values for a test tensor: small integers (exact sums, compared bitwise) or uniform in [-1, 1].
func convolutionData(count: Int, integers: Bool, seed: UInt64) -> [Float] {
    var g = TestGenerator(seed: seed)
    return (0..<count).map { _ in
        integers ? Float(Int.random(in: -3...3, using: &g)) : Float.random(in: -1...1, using: &g)
    }
}

/// NHWC -> NCHW for activations of `n` images of `h x w x c`.
func toNCHW(_ x: [Float], n: Int, h: Int, w: Int, c: Int) -> [Float] {
    var out = x
    for i in 0..<n {
        for y in 0..<h {
            for xx in 0..<w {
                for ch in 0..<c {
                    out[((i * c + ch) * h + y) * w + xx] = x[((i * h + y) * w + xx) * c + ch]
                }
            }
        }
    }
    return out
}

/// HWIO -> OIHW.
func toOIHW(_ wt: [Float], _ s: ConvolutionShape) -> [Float] {
    var out = wt
    let o = s.outputChannels, i = s.groupInputChannels, kh = s.kernelHeight, kw = s.kernelWidth
    for ky in 0..<kh {
        for kx in 0..<kw {
            for ci in 0..<i {
                for co in 0..<o {
                    out[((co * i + ci) * kh + ky) * kw + kx] = wt[((ky * kw + kx) * i + ci) * o + co]
                }
            }
        }
    }
    return out
}

/// The reference problem of an NHWC shape.
func referenceProblem(_ s: ConvolutionShape) -> ReferenceConvolutionProblem {
    ReferenceConvolutionProblem(
        batch: s.batch, inputHeight: s.inputHeight, inputWidth: s.inputWidth, inputChannels: s.inputChannels,
        outputChannels: s.outputChannels, kernelHeight: s.kernelHeight, kernelWidth: s.kernelWidth,
        strideY: s.descriptor.strideY, strideX: s.descriptor.strideX, dilationY: s.descriptor.dilationY,
        dilationX: s.descriptor.dilationX, padTop: s.padTop, padLeft: s.padLeft, outputHeight: s.outputHeight,
        outputWidth: s.outputWidth, groups: s.groups, channelsFirst: s.layout == .nchw)
}

/// The three passes of one shape on one data set, from the reference (NHWC / HWIO).
struct ConvolutionExpectation {
    let shape: ConvolutionShape
    let input: [Float], weights: [Float], bias: [Float], outputGradient: [Float]
    let output: [Float], inputGradient: [Float], weightGradient: [Float], biasGradient: [Float]
    /// Magnitudes (sums of absolute products) for the tolerance of random fills.
    let outputScale: [Float], inputGradientScale: [Float], weightGradientScale: [Float]
    let integers: Bool

    init(_ s: ConvolutionShape, integers: Bool, seed: UInt64, relu: Bool = false) {
        shape = s
        self.integers = integers
        input = convolutionData(count: s.inputCount, integers: integers, seed: seed)
        weights = convolutionData(count: s.weightCount, integers: integers, seed: seed &+ 1)
        bias = convolutionData(count: s.outputChannels, integers: integers, seed: seed &+ 2)
        outputGradient = convolutionData(count: s.outputCount, integers: integers, seed: seed &+ 3)
        let p = referenceProblem(s)
        output = ReferenceConvolution.forward(p, input: input, weights: weights, bias: bias, relu: relu)
        inputGradient = ReferenceConvolution.backwardData(p, outputGradient: outputGradient, weights: weights)
        (weightGradient, biasGradient) = ReferenceConvolution.backwardWeights(p, input: input, outputGradient: outputGradient)
        let ax = input.map(abs), aw = weights.map(abs), ag = outputGradient.map(abs)
        outputScale = ReferenceConvolution.forward(p, input: ax, weights: aw, bias: bias.map(abs))
        inputGradientScale = ReferenceConvolution.backwardData(p, outputGradient: ag, weights: aw)
        weightGradientScale = ReferenceConvolution.backwardWeights(p, input: ax, outputGradient: ag).weights
    }
}

/// Compares `actual` with `expected`: bitwise for integer fills, else within a tolerance scaled
/// with the reduction depth relative to the magnitude. Returns the first mismatch, if any.
func firstMismatch(_ actual: [Float], _ expected: [Float], scale: [Float], depth: Int, exact: Bool) -> String? {
    guard actual.count == expected.count else { return "count \(actual.count) != \(expected.count)" }
    let tolerance = max(1e-5, 4e-7 * Double(max(1, depth)).squareRoot())
    for i in 0..<actual.count {
        if exact {
            if actual[i].bitPattern != expected[i].bitPattern && !(actual[i] == 0 && expected[i] == 0) {
                return "element \(i): \(actual[i]) != \(expected[i]) (exact)"
            }
        } else {
            let err = abs(Double(actual[i]) - Double(expected[i]))
            if err > tolerance * max(Double(scale[i]), 1e-3) {
                return "element \(i): \(actual[i]) vs \(expected[i]) (error \(err), scale \(scale[i]))"
            }
        }
    }
    return nil
}

/// Runs the three passes of `e.shape` in `layout` through `algorithm` and checks them against
/// the reference; every failure names the one-line problem (`convbench conv --problem '...'`).
func checkConvolution(
    _ e: ConvolutionExpectation, algorithm: ConvolutionAlgorithm, layout: TensorLayout,
    context: ExecutionContext, relu: Bool = false,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let s = e.shape.with(layout: layout)
    let conv = try Convolution(shape: s, algorithm: algorithm, context: context)
    let nchw = layout == .nchw
    let (h, w, c, oh, ow, oc) = (s.inputHeight, s.inputWidth, s.inputChannels, s.outputHeight, s.outputWidth, s.outputChannels)
    func act(_ x: [Float], _ hh: Int, _ ww: Int, _ cc: Int) -> [Float] { nchw ? toNCHW(x, n: s.batch, h: hh, w: ww, c: cc) : x }
    let weights = nchw ? toOIHW(e.weights, s) : e.weights
    let label = "\(algorithm) \(context.isa) threads=\(context.threads) problem '\(s)'"
    let depthForward = s.kernelHeight * s.kernelWidth * s.groupInputChannels

    var output = [Float](repeating: .nan, count: s.outputCount)
    try conv.forward(
        input: act(e.input, h, w, c), weights: weights, bias: e.bias, output: &output,
        activation: relu ? .relu : .none)
    if let m = firstMismatch(
        output, act(e.output, oh, ow, oc), scale: act(e.outputScale, oh, ow, oc),
        depth: depthForward, exact: e.integers)
    {
        Issue.record("forward \(label): \(m)", sourceLocation: sourceLocation)
    }
    if relu { return }

    var inputGradient = [Float](repeating: .nan, count: s.inputCount)
    try conv.backwardData(outputGradient: act(e.outputGradient, oh, ow, oc), weights: weights, inputGradient: &inputGradient)
    if let m = firstMismatch(
        inputGradient, act(e.inputGradient, h, w, c), scale: act(e.inputGradientScale, h, w, c),
        depth: s.kernelHeight * s.kernelWidth * s.groupOutputChannels, exact: e.integers)
    {
        Issue.record("backwardData \(label): \(m)", sourceLocation: sourceLocation)
    }

    var weightGradient = [Float](repeating: .nan, count: s.weightCount)
    var biasGradient = [Float](repeating: .nan, count: s.outputChannels)
    try conv.backwardWeights(
        input: act(e.input, h, w, c), outputGradient: act(e.outputGradient, oh, ow, oc),
        weightGradient: &weightGradient, biasGradient: &biasGradient)
    let expectedW = nchw ? toOIHW(e.weightGradient, s) : e.weightGradient
    let scaleW = nchw ? toOIHW(e.weightGradientScale, s) : e.weightGradientScale
    if let m = firstMismatch(weightGradient, expectedW, scale: scaleW, depth: s.batch * oh * ow, exact: e.integers) {
        Issue.record("backwardWeights \(label): \(m)", sourceLocation: sourceLocation)
    }
    let biasScale = [Float](repeating: Float(s.batch * oh * ow), count: oc)
    if let m = firstMismatch(biasGradient, e.biasGradient, scale: biasScale, depth: s.batch * oh * ow, exact: e.integers) {
        Issue.record("backwardBias \(label): \(m)", sourceLocation: sourceLocation)
    }
}
