/// Batch normalization over the last axis of `rows x channels` data, in Double, by its
/// definition: the reference for ConvNN's `BatchNormalization`.
public enum ReferenceBatchNormalization {
    /// Training forward: `y = gamma (x - mean) / sqrt(var + epsilon) + beta` with the batch's
    /// mean and biased variance per channel; returns y and the statistics.
    public static func forward(
        _ x: [Float], channels c: Int, gamma: [Float], beta: [Float], epsilon: Double
    ) -> (y: [Double], mean: [Double], variance: [Double]) {
        let rows = x.count / c
        var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
        for r in 0..<rows { for j in 0..<c { mean[j] += Double(x[r * c + j]) } }
        for j in 0..<c { mean[j] /= Double(rows) }
        for r in 0..<rows {
            for j in 0..<c {
                let d = Double(x[r * c + j]) - mean[j]
                variance[j] += d * d
            }
        }
        for j in 0..<c { variance[j] /= Double(rows) }
        var y = [Double](repeating: 0, count: x.count)
        for r in 0..<rows {
            for j in 0..<c {
                y[r * c + j] = Double(gamma[j]) * (Double(x[r * c + j]) - mean[j]) / (variance[j] + epsilon).squareRoot() + Double(beta[j])
            }
        }
        return (y, mean, variance)
    }

    /// Training backward: dL/dx, dL/dgamma, dL/dbeta from dL/dy (the batch statistics depend on x).
    public static func backward(
        _ x: [Float], outputGradient dy: [Float], channels c: Int, gamma: [Float], epsilon: Double
    ) -> (dx: [Double], dGamma: [Double], dBeta: [Double]) {
        let rows = x.count / c, n = Double(rows)
        let (_, mean, variance) = forward(x, channels: c, gamma: gamma, beta: [Float](repeating: 0, count: c), epsilon: epsilon)
        var dGamma = [Double](repeating: 0, count: c), dBeta = [Double](repeating: 0, count: c)
        var dx = [Double](repeating: 0, count: x.count)
        for j in 0..<c {
            let inv = 1 / (variance[j] + epsilon).squareRoot()
            var sumDy = 0.0, sumDyXhat = 0.0
            for r in 0..<rows {
                let xhat = (Double(x[r * c + j]) - mean[j]) * inv
                sumDy += Double(dy[r * c + j])
                sumDyXhat += Double(dy[r * c + j]) * xhat
            }
            dBeta[j] = sumDy
            dGamma[j] = sumDyXhat
            for r in 0..<rows {
                let xhat = (Double(x[r * c + j]) - mean[j]) * inv
                dx[r * c + j] = Double(gamma[j]) * inv / n * (n * Double(dy[r * c + j]) - sumDy - xhat * sumDyXhat)
            }
        }
        return (dx, dGamma, dBeta)
    }
}
