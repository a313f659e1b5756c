import ConvKit
import Dispatch
import Foundation
import Synchronization
import Testing

/// Tests of `Sources/ConvKit/Threading/Parallel.swift` and `ParallelRuntime.swift`.
@Suite("Parallel")
struct ParallelTests {
    @Test("forEach runs every index exactly once for any budget", arguments: [1, 2, 3, 8])
    func everyIndexOnce(threads: Int) {
        let counts = ResultCounter(count: 37)
        Parallel.forEach(37, threads: threads) { i in counts.increment(i) }
        #expect(counts.values == [Int](repeating: 1, count: 37))
        Parallel.forEach(0, threads: threads) { _ in Issue.record("body ran for an empty range") }
    }

    @Test("a region is marked, nested regions run serially, and the mark is cleared afterwards")
    func nestedRegionsAreSerial() {
        #expect(!Parallel.isInsideParallelRegion)
        #expect(Parallel.availableThreads(4) == 4)
        let inner = ResultCounter(count: 4 * 5)
        Parallel.forEach(4, threads: 2) { i in
            #expect(Parallel.isInsideParallelRegion)
            #expect(Parallel.availableThreads(4) == 1)
            Parallel.forEach(5, threads: 4) { j in inner.increment(i * 5 + j) }
        }
        #expect(inner.values == [Int](repeating: 1, count: 20))
        #expect(!Parallel.isInsideParallelRegion)
    }

    @Test("a custom runtime runs the regions, worker indices stay distinct, and results keep their bits")
    func customRuntime() throws {
        let m = 300, n = 320, k = 200
        let a = (0..<(m * k)).map { Float(($0 * 7) % 13) - 6 }
        let b = (0..<(k * n)).map { Float(($0 * 5) % 11) * 0.25 - 1 }
        let context = try ExecutionContext(threads: 2)
        func product() throws -> [Float] {
            var c = [Float](repeating: .nan, count: m * n)
            try GEMM.sgemm(
                .noTranspose, .noTranspose, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                beta: 0, c: &c, ldc: n, context: context)
            return c
        }
        let expected = try product()

        // Workers in reverse order, each on a global-queue thread: any valid pool must give the same bits.
        let calls = Atomic<Int>(0)
        let seen = ResultCounter(count: 64)
        let reversed = ParallelRuntime(name: "reversed") { workers, work in
            calls.add(1, ordering: .relaxed)
            withoutActuallyEscaping(work) { work in
                let group = DispatchGroup()
                for worker in (0..<workers).reversed() {
                    DispatchQueue.global().async(group: group) {
                        if worker < 64 { seen.increment(worker) }
                        work(worker)
                    }
                }
                group.wait()
            }
        }
        let previous = Parallel.runtime
        Parallel.runtime = reversed
        defer { Parallel.runtime = previous }
        #expect(Parallel.runtime.name == "reversed")

        let before = calls.load(ordering: .relaxed)
        let result = try product()
        #expect(calls.load(ordering: .relaxed) > before, "the GEMM's region did not run on the custom runtime")
        #expect(result == expected)
        let used = seen.values.prefix(2)
        #expect(used.allSatisfy { $0 > 0 }, "both worker indices should have run: \(Array(used))")

        let counts = ResultCounter(count: 29)
        Parallel.forEach(29, threads: 2) { i in counts.increment(i) }
        #expect(counts.values == [Int](repeating: 1, count: 29))
    }

    @Test("the spinning Dispatch pool passes every worker index once, back to back, after idling, and from concurrent callers")
    func spinningPool() throws {
        let runtime = ParallelRuntime.spinningDispatch(spinMicroseconds: 200)
        // Back-to-back regions (helpers still spinning) of 2-5 workers, with pauses longer than
        // the spin now and then (helpers gone: new ones are submitted).
        for round in 0..<600 {
            let workers = 2 + round % 4
            let seen = ResultCounter(count: workers)
            runtime.runWorkers(workers) { worker in seen.increment(worker) }
            #expect(seen.values == [Int](repeating: 1, count: workers), "round \(round)")
            if round % 100 == 99 { usleep(1000) }
        }
        // Two unrelated threads at once: one owns the helpers, the other falls back to
        // concurrentPerform; both must complete with every index once.
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            for round in 0..<300 {
                let workers = 2 + (round + caller) % 3
                let seen = ResultCounter(count: workers)
                runtime.runWorkers(workers) { worker in seen.increment(worker) }
                if seen.values != [Int](repeating: 1, count: workers) { failures.add(1, ordering: .relaxed) }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
    }

    @Test("CONVKIT_SPIN_US picks the runtime and a malformed value throws, naming the variable")
    func spinEnvironment() throws {
        #expect(try ParallelRuntime(environment: [:]).name == ParallelRuntime.spinningDispatch().name)
        #expect(try ParallelRuntime(environment: ["CONVKIT_SPIN_US": "0"]).name == "dispatch")
        #expect(try ParallelRuntime(environment: ["CONVKIT_SPIN_US": "250"]).name.contains("250"))
        for bad in ["-1", "fast", "1.5"] {
            #expect(throws: ConvKitError.self) { try ParallelRuntime(environment: ["CONVKIT_SPIN_US": bad]) }
            do {
                _ = try ExecutionContext(environment: ["CONVKIT_SPIN_US": bad])
                Issue.record("CONVKIT_SPIN_US=\(bad) accepted")
            } catch let ConvKitError.invalidEnvironment(variable, value, _) {
                #expect(variable == "CONVKIT_SPIN_US" && value == bad)
            }
        }
    }
}

/// Thread-safe counters, one per index.
final class ResultCounter: Sendable {
    private let storage: Mutex<[Int]>
    init(count: Int) { storage = Mutex([Int](repeating: 0, count: count)) }
    func increment(_ i: Int) { storage.withLock { $0[i] += 1 } }
    var values: [Int] { storage.withLock { $0 } }
}
