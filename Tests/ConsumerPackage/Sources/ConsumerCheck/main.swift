import ConvKit
import ConvKitReference

// Multiplies two matrices through the public API of a ConvKit resolved by version tag, checks the
// result against the reference module and exits non-zero on a mismatch.
let m = 37, n = 45, k = 29
let a = (0..<(m * k)).map { Float(($0 * 7) % 13) - 6 }
let b = (0..<(k * n)).map { Float(($0 * 5) % 11) - 5 }
var c = [Float](repeating: 0, count: m * n)
var expected = c
try GEMM.sgemm(.noTranspose, .noTranspose, m: m, n: n, k: k, a: a, b: b, c: &c)
ReferenceGEMM.sgemm(
    transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
    beta: 0, c: &expected, ldc: n)
let context = try ExecutionContext.fromEnvironment()
guard c == expected else {
    print("ConsumerCheck: FAILED, ConvKit and the reference differ")
    exit(1)
}
print("ConsumerCheck: ok (\(context.kernels.primaryGEMM.name), \(context.threads) threads)")

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
