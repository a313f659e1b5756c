/// Naive reference loops: the oracle every optimised ConvKit kernel is tested against.
/// Written for obviousness, not speed; sums accumulate in `Double`.
public enum ReferenceGEMM {
    /// `C := alpha * op(A) * op(B) + beta * C` on dense row-major arrays with leading dimensions
    /// (`op(X)` is X, or its transpose when `transposeX`),
    /// the same semantics as ``ConvKit/GEMM/sgemm(_:_:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:context:)``:
    /// `beta == 0` does not read C; `alpha == 0` or `k == 0` does not read A and B.
    /// Traps (precondition) when an array is shorter than its shape needs: this is test code.
    public static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: [Float], lda: Int, b: [Float], ldb: Int,
        beta: Float, c: inout [Float], ldc: Int
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "negative size")
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                if alpha != 0 {
                    for p in 0..<k {
                        sum += element(a, transposeA, i, p, lda) * element(b, transposeB, p, j, ldb)
                    }
                }
                let scaled = Double(alpha) * sum
                c[i * ldc + j] = beta == 0 ? Float(scaled) : Float(scaled + Double(beta) * Double(c[i * ldc + j]))
            }
        }
    }

    /// The magnitude each element of the result may be compared against:
    /// `|alpha| * sum_p |op(A)[i][p] * op(B)[p][j]| + |beta * C[i][j]|`, in the same layout as C.
    public static func magnitudes(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: [Float], lda: Int, b: [Float], ldb: Int,
        beta: Float, c: [Float], ldc: Int
    ) -> [Double] {
        var out = [Double](repeating: 0, count: c.count)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    sum += abs(element(a, transposeA, i, p, lda) * element(b, transposeB, p, j, ldb))
                }
                out[i * ldc + j] = abs(Double(alpha)) * sum + (beta == 0 ? 0 : abs(Double(beta) * Double(c[i * ldc + j])))
            }
        }
        return out
    }

    /// `op(X)[row][column]` of a row-major `x` with leading dimension `ld`, as a Double.
    private static func element(_ x: [Float], _ transposed: Bool, _ row: Int, _ column: Int, _ ld: Int) -> Double {
        Double(!transposed ? x[row * ld + column] : x[column * ld + row])
    }
}
