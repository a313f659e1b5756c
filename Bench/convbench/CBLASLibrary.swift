#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A CBLAS library loaded at run time with `dlopen` (no build-time dependency), for comparison.
struct CBLASLibrary {
    typealias SGEMM =
        @convention(c) (
            Int32, Int32, Int32, Int32, Int32, Int32, Float,
            UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32,
            Float, UnsafeMutablePointer<Float>?, Int32
        ) -> Void
    typealias SetThreads = @convention(c) (Int32) -> Void

    let path: String
    let sgemm: SGEMM
    let setThreads: SetThreads?

    /// Library names looked up in order when no path is given.
    static let candidates = ["libopenblas.so.0", "libopenblas.so", "libblis.so.4", "libmkl_rt.so"]

    /// Loads the first of `paths` that exports `cblas_sgemm`; nil when none does.
    static func load(_ paths: [String]) -> CBLASLibrary? {
        for path in paths {
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL),
                let symbol = dlsym(handle, "cblas_sgemm")
            else { continue }
            let setThreads = (dlsym(handle, "openblas_set_num_threads") ?? dlsym(handle, "bli_thread_set_num_threads"))
                .map { unsafeBitCast($0, to: SetThreads.self) }
            return CBLASLibrary(path: path, sgemm: unsafeBitCast(symbol, to: SGEMM.self), setThreads: setThreads)
        }
        return nil
    }

    /// Row-major `cblas_sgemm` with `transA`/`transB` as booleans.
    func callSGEMM(
        _ transA: Bool, _ transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
        sgemm(
            rowMajor, transA ? trans : noTrans, transB ? trans : noTrans, Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
