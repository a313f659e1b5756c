import ConvKit
import OpenMPRuntime

extension ParallelRuntime {
    /// ConvKit's parallel regions on OpenMP threads: the workers of a region are the iterations
    /// of a `#pragma omp parallel for num_threads(workers) schedule(static, 1)` loop.
    static let openMP = ParallelRuntime(name: "openmp") { workers, work in
        withoutActuallyEscaping(work) { work in
            var body = work
            withUnsafeMutablePointer(to: &body) { pointer in
                ck_omp_run_workers(Int32(workers), { context, worker in
                    context!.assumingMemoryBound(to: (@Sendable (Int) -> Void).self).pointee(Int(worker))
                }, pointer)
            }
        }
    }
}
