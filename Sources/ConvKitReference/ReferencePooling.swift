#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pooling problem in plain integers (sizes and padding as the optimised kernels derive them).
public struct ReferencePoolingProblem: Sendable {
    public var batch, inputHeight, inputWidth, channels: Int
    public var windowHeight, windowWidth, strideY, strideX: Int
    public var padTop, padBottom, padLeft, padRight: Int
    public var outputHeight, outputWidth: Int
    public var countIncludePadding: Bool
    public var channelsFirst: Bool

    public init(
        batch: Int, inputHeight: Int, inputWidth: Int, channels: Int, windowHeight: Int, windowWidth: Int,
        strideY: Int, strideX: Int, padTop: Int, padBottom: Int, padLeft: Int, padRight: Int,
        outputHeight: Int, outputWidth: Int, countIncludePadding: Bool, channelsFirst: Bool
    ) {
        (self.batch, self.inputHeight, self.inputWidth, self.channels) = (batch, inputHeight, inputWidth, channels)
        (self.windowHeight, self.windowWidth, self.strideY, self.strideX) = (windowHeight, windowWidth, strideY, strideX)
        (self.padTop, self.padBottom, self.padLeft, self.padRight) = (padTop, padBottom, padLeft, padRight)
        (self.outputHeight, self.outputWidth) = (outputHeight, outputWidth)
        self.countIncludePadding = countIncludePadding
        self.channelsFirst = channelsFirst
    }

    func index(_ n: Int, _ y: Int, _ x: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        channelsFirst ? ((n * channels + c) * h + y) * w + x : ((n * h + y) * w + x) * channels + c
    }

    /// Input rows/columns of window (oy, ox) clipped to the input, and PyTorch's divisor.
    func window(_ oy: Int, _ ox: Int) -> (ys: Range<Int>, xs: Range<Int>, divisor: Int) {
        let y0 = oy * strideY - padTop, x0 = ox * strideX - padLeft
        let ys = max(0, y0)..<min(inputHeight, y0 + windowHeight)
        let xs = max(0, x0)..<min(inputWidth, x0 + windowWidth)
        let padded = (min(y0 + windowHeight, inputHeight + padBottom) - y0) * (min(x0 + windowWidth, inputWidth + padRight) - x0)
        return (ys, xs, countIncludePadding ? padded : ys.count * xs.count)
    }
}

/// Naive pooling loops: the oracle for ConvKit's pooling kernels.
public enum ReferencePooling {
    /// Window maxima and the flat input position `y * W + x` of each (first in row-major window
    /// order on ties; a NaN replaces the maximum so far, PyTorch's rule, so NaN propagates).
    public static func maxForward(_ p: ReferencePoolingProblem, input: [Float]) -> (output: [Float], indices: [Int32]) {
        var out = [Float](repeating: 0, count: p.batch * p.channels * p.outputHeight * p.outputWidth)
        var idx = [Int32](repeating: -1, count: out.count)
        for n in 0..<p.batch {
            for c in 0..<p.channels {
                for oy in 0..<p.outputHeight {
                    for ox in 0..<p.outputWidth {
                        let (ys, xs, _) = p.window(oy, ox)
                        var best = Float.nan, at = -1
                        for y in ys {
                            for x in xs {
                                let v = input[p.index(n, y, x, c, p.inputHeight, p.inputWidth)]
                                if at < 0 || v > best || v.isNaN { best = v; at = y * p.inputWidth + x }
                            }
                        }
                        let o = p.index(n, oy, ox, c, p.outputHeight, p.outputWidth)
                        out[o] = best
                        idx[o] = Int32(at)
                    }
                }
            }
        }
        return (out, idx)
    }

    /// Scatter of the output gradient to the recorded maxima, accumulated in Double.
    public static func maxBackward(_ p: ReferencePoolingProblem, outputGradient: [Float], indices: [Int32]) -> [Float] {
        var sums = [Double](repeating: 0, count: p.batch * p.channels * p.inputHeight * p.inputWidth)
        for n in 0..<p.batch {
            for c in 0..<p.channels {
                for oy in 0..<p.outputHeight {
                    for ox in 0..<p.outputWidth {
                        let o = p.index(n, oy, ox, c, p.outputHeight, p.outputWidth)
                        let flat = Int(indices[o])
                        sums[p.index(n, flat / p.inputWidth, flat % p.inputWidth, c, p.inputHeight, p.inputWidth)] += Double(outputGradient[o])
                    }
                }
            }
        }
        return sums.map { Float($0) }
    }

    /// Window means under the problem's divisor, in Double.
    public static func averageForward(_ p: ReferencePoolingProblem, input: [Float]) -> [Float] {
        var out = [Float](repeating: 0, count: p.batch * p.channels * p.outputHeight * p.outputWidth)
        for n in 0..<p.batch {
            for c in 0..<p.channels {
                for oy in 0..<p.outputHeight {
                    for ox in 0..<p.outputWidth {
                        let (ys, xs, divisor) = p.window(oy, ox)
                        var sum = 0.0
                        for y in ys { for x in xs { sum += Double(input[p.index(n, y, x, c, p.inputHeight, p.inputWidth)]) } }
                        out[p.index(n, oy, ox, c, p.outputHeight, p.outputWidth)] = Float(sum / Double(divisor))
                    }
                }
            }
        }
        return out
    }

    /// The adjoint of ``averageForward(_:input:)``, in Double.
    public static func averageBackward(_ p: ReferencePoolingProblem, outputGradient: [Float]) -> [Float] {
        var sums = [Double](repeating: 0, count: p.batch * p.channels * p.inputHeight * p.inputWidth)
        for n in 0..<p.batch {
            for c in 0..<p.channels {
                for oy in 0..<p.outputHeight {
                    for ox in 0..<p.outputWidth {
                        let (ys, xs, divisor) = p.window(oy, ox)
                        let g = Double(outputGradient[p.index(n, oy, ox, c, p.outputHeight, p.outputWidth)]) / Double(divisor)
                        for y in ys { for x in xs { sums[p.index(n, y, x, c, p.inputHeight, p.inputWidth)] += g } }
                    }
                }
            }
        }
        return sums.map { Float($0) }
    }
}

/// Naive elementwise and loss references.
public enum ReferenceElementwise {
    /// Mean softmax cross-entropy and its gradient with respect to the logits, in Double.
    public static func softmaxCrossEntropy(logits: [Float], labels: [Int], classes: Int) -> (loss: Double, gradient: [Double]) {
        let rows = labels.count
        var loss = 0.0
        var gradient = [Double](repeating: 0, count: logits.count)
        for r in 0..<rows {
            let z = (0..<classes).map { Double(logits[r * classes + $0]) }
            let m = z.max()!
            let sum = z.reduce(0) { $0 + exp($1 - m) }
            let lse = m + log(sum)
            loss += lse - z[labels[r]]
            for j in 0..<classes {
                gradient[r * classes + j] = (exp(z[j] - lse) - (j == labels[r] ? 1 : 0)) / Double(rows)
            }
        }
        return (loss / Double(rows), gradient)
    }
}
