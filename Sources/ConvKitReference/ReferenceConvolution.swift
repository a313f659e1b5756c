/// A 2-D convolution problem in plain integers, as the reference loops take it.
///
/// Layouts: channels-last (`channelsFirst == false`): activations NHWC, weights HWIO
/// `[kernelHeight][kernelWidth][inputChannels / groups][outputChannels]`; channels-first:
/// activations NCHW, weights OIHW `[outputChannels][inputChannels / groups][kernelHeight][kernelWidth]`.
/// Output channel `co` belongs to group `co / (outputChannels / groups)` and reads that group's
/// input channels.
public struct ReferenceConvolutionProblem: Sendable, Equatable {
    public var batch: Int
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var outputChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int
    public var strideX: Int
    public var dilationY: Int
    public var dilationX: Int
    public var padTop: Int
    public var padLeft: Int
    public var outputHeight: Int
    public var outputWidth: Int
    public var groups: Int
    public var channelsFirst: Bool

    public init(
        batch: Int, inputHeight: Int, inputWidth: Int, inputChannels: Int, outputChannels: Int,
        kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int, dilationY: Int,
        dilationX: Int, padTop: Int, padLeft: Int, outputHeight: Int, outputWidth: Int,
        groups: Int, channelsFirst: Bool
    ) {
        self.batch = batch
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideY = strideY
        self.strideX = strideX
        self.dilationY = dilationY
        self.dilationX = dilationX
        self.padTop = padTop
        self.padLeft = padLeft
        self.outputHeight = outputHeight
        self.outputWidth = outputWidth
        self.groups = groups
        self.channelsFirst = channelsFirst
    }

    public var inputCount: Int { batch * inputHeight * inputWidth * inputChannels }
    public var outputCount: Int { batch * outputHeight * outputWidth * outputChannels }
    public var weightCount: Int { kernelHeight * kernelWidth * (inputChannels / groups) * outputChannels }

    func inputIndex(_ n: Int, _ y: Int, _ x: Int, _ c: Int) -> Int {
        channelsFirst
            ? ((n * inputChannels + c) * inputHeight + y) * inputWidth + x
            : ((n * inputHeight + y) * inputWidth + x) * inputChannels + c
    }

    func outputIndex(_ n: Int, _ y: Int, _ x: Int, _ c: Int) -> Int {
        channelsFirst
            ? ((n * outputChannels + c) * outputHeight + y) * outputWidth + x
            : ((n * outputHeight + y) * outputWidth + x) * outputChannels + c
    }

    func weightIndex(_ ky: Int, _ kx: Int, _ ci: Int, _ co: Int) -> Int {
        let cig = inputChannels / groups
        return channelsFirst
            ? ((co * cig + ci) * kernelHeight + ky) * kernelWidth + kx
            : ((ky * kernelWidth + kx) * cig + ci) * outputChannels + co
    }

    /// Calls `body(n, oy, ox, co, ky, kx, ci, iy, ix)` for every tap that reads inside the input
    /// (`ci` is the index within the group, the input channel is `group * cig + ci`).
    func forEachTap(_ body: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
        let cig = inputChannels / groups, cog = outputChannels / groups
        for n in 0..<batch {
            for oy in 0..<outputHeight {
                for ox in 0..<outputWidth {
                    for co in 0..<outputChannels {
                        let g = co / cog
                        for ky in 0..<kernelHeight {
                            let iy = oy * strideY + ky * dilationY - padTop
                            guard iy >= 0 && iy < inputHeight else { continue }
                            for kx in 0..<kernelWidth {
                                let ix = ox * strideX + kx * dilationX - padLeft
                                guard ix >= 0 && ix < inputWidth else { continue }
                                for ci in 0..<cig {
                                    body(n, oy, ox, co, ky, kx, ci, g * cig + ci, iy, ix)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Naive convolution loops accumulating in `Double`: the oracle for ConvKit's convolution
/// kernels, and the implementation behind `ConvolutionAlgorithm.reference`.
/// Traps (precondition) on arrays of the wrong length: this is test code.
public enum ReferenceConvolution {
    /// out = bias + sum of taps (cross-correlation), then max(., 0) when `relu`.
    public static func forward(
        _ p: ReferenceConvolutionProblem, input: [Float], weights: [Float],
        bias: [Float]?, relu: Bool = false
    ) -> [Float] {
        precondition(input.count == p.inputCount && weights.count == p.weightCount, "size mismatch")
        precondition(bias == nil || bias!.count == p.outputChannels, "bias size mismatch")
        var sums = [Double](repeating: 0, count: p.outputCount)
        p.forEachTap { n, oy, ox, co, ky, kx, ci, c, iy, ix in
            sums[p.outputIndex(n, oy, ox, co)] +=
                Double(input[p.inputIndex(n, iy, ix, c)]) * Double(weights[p.weightIndex(ky, kx, ci, co)])
        }
        var out = [Float](repeating: 0, count: p.outputCount)
        for n in 0..<p.batch {
            for oy in 0..<p.outputHeight {
                for ox in 0..<p.outputWidth {
                    for co in 0..<p.outputChannels {
                        let i = p.outputIndex(n, oy, ox, co)
                        let v = Float(sums[i] + Double(bias?[co] ?? 0))
                        out[i] = relu && v < 0 ? 0 : v
                    }
                }
            }
        }
        return out
    }

    /// dL/dInput from dL/dOutput (the adjoint of ``forward(_:input:weights:bias:relu:)`` without
    /// bias and activation).
    public static func backwardData(
        _ p: ReferenceConvolutionProblem, outputGradient: [Float],
        weights: [Float]
    ) -> [Float] {
        precondition(outputGradient.count == p.outputCount && weights.count == p.weightCount, "size mismatch")
        var sums = [Double](repeating: 0, count: p.inputCount)
        p.forEachTap { n, oy, ox, co, ky, kx, ci, c, iy, ix in
            sums[p.inputIndex(n, iy, ix, c)] +=
                Double(outputGradient[p.outputIndex(n, oy, ox, co)]) * Double(weights[p.weightIndex(ky, kx, ci, co)])
        }
        return sums.map { Float($0) }
    }

    /// dL/dWeights (in the weight layout of the problem) and dL/dBias from the input and dL/dOutput.
    public static func backwardWeights(
        _ p: ReferenceConvolutionProblem, input: [Float],
        outputGradient: [Float]
    ) -> (weights: [Float], bias: [Float]) {
        precondition(input.count == p.inputCount && outputGradient.count == p.outputCount, "size mismatch")
        var sums = [Double](repeating: 0, count: p.weightCount)
        p.forEachTap { n, oy, ox, co, ky, kx, ci, c, iy, ix in
            sums[p.weightIndex(ky, kx, ci, co)] +=
                Double(input[p.inputIndex(n, iy, ix, c)]) * Double(outputGradient[p.outputIndex(n, oy, ox, co)])
        }
        var bias = [Double](repeating: 0, count: p.outputChannels)
        for n in 0..<p.batch {
            for oy in 0..<p.outputHeight {
                for ox in 0..<p.outputWidth {
                    for co in 0..<p.outputChannels {
                        bias[co] += Double(outputGradient[p.outputIndex(n, oy, ox, co)])
                    }
                }
            }
        }
        return (sums.map { Float($0) }, bias.map { Float($0) })
    }
}

extension ReferenceConvolution {
    /// The forward pass entirely in `Double` (no bias): for finite-difference gradient checks.
    public static func forwardInDouble(_ p: ReferenceConvolutionProblem, input: [Double], weights: [Double]) -> [Double] {
        precondition(input.count == p.inputCount && weights.count == p.weightCount, "size mismatch")
        var out = [Double](repeating: 0, count: p.outputCount)
        p.forEachTap { n, oy, ox, co, ky, kx, ci, c, iy, ix in
            out[p.outputIndex(n, oy, ox, co)] += input[p.inputIndex(n, iy, ix, c)] * weights[p.weightIndex(ky, kx, ci, co)]
        }
        return out
    }
}
