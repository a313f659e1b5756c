import ConvKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine's memory bandwidth as a memory-bound kernel sees it: `threads` threads each
/// `memcpy` their share of 64 MiB buffers (far beyond the caches); GB/s counts bytes read + written,
/// in the fastest of at least 5 runs.
enum CopyBandwidth {
    static func measure(threads: Int, minTime: Double = 0.3) -> Double {
        let count = 16 << 20
        let src = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let dst = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { src.deallocate(); dst.deallocate() }
        src.initialize(repeating: 1, count: count)
        dst.initialize(repeating: 0, count: count)
        let box = SendablePointers(src: src, dst: dst)
        let seconds = Timing(runs: 5, minTime: minTime).measure {
            Parallel.forEach(threads, threads: threads) { i in
                let lo = i * count / threads, hi = (i + 1) * count / threads
                memcpy(box.dst + lo, box.src + lo, (hi - lo) * 4)
            }
        }
        return Double(2 * count * 4) / seconds.best * 1e-9
    }
}

private struct SendablePointers: @unchecked Sendable {
    let src: UnsafeMutablePointer<Float>
    let dst: UnsafeMutablePointer<Float>
}
