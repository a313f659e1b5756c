import ConvKit
import Synchronization
import Testing

/// Tests of `Sources/ConvKit/Threading/Parallel.swift`.
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
}

/// Thread-safe counters, one per index.
final class ResultCounter: Sendable {
    private let storage: Mutex<[Int]>
    init(count: Int) { storage = Mutex([Int](repeating: 0, count: count)) }
    func increment(_ i: Int) { storage.withLock { $0[i] += 1 } }
    var values: [Int] { storage.withLock { $0 } }
}
