import ConvKit
import Foundation

/// The processes of a data-parallel run and the few collective operations it needs: an MPI
/// communicator (the `ConvNNDistributed` package) or ``ThreadProcessGroup`` (processes as threads
/// of one program, for tests and single machines). Every process calls the same operations in the
/// same order.
public protocol ProcessGroup: AnyObject, Sendable {
    /// This process's index, `0..<size`.
    var rank: Int { get }
    var size: Int { get }
    /// Copies `root`'s `buffer` into every process's.
    func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws
    /// Sends `buffer` to process `destination`, which receives it with ``receive(_:from:)``.
    func send(_ buffer: UnsafeBufferPointer<Float>, to destination: Int) throws
    /// Receives what process `source` sends into `buffer` (the same length).
    func receive(_ buffer: UnsafeMutableBufferPointer<Float>, from source: Int) throws
    /// Element-wise sums of `values` over the processes, for reported figures (losses, counts).
    func sum(_ values: [Double]) throws -> [Double]
}

/// `size` processes as threads of this program, exchanging through shared memory: what
/// ``DataParallel`` needs to run without MPI (tests, or one machine). A process that throws
/// fails the group: every other process's next operation throws, so none waits forever.
public final class ThreadProcessGroup: @unchecked Sendable {
    public let size: Int
    private let condition = NSCondition()
    private var mailboxes: [Int: [Float]] = [:]  // key: source * size + destination
    private var broadcasts: [Int: (values: [Float], remaining: Int)] = [:]  // key: sequence number
    private var broadcastSequence: [Int]
    private var sums: [Int: (total: [Double], arrived: Int, taken: Int)] = [:]
    private var sumSequence: [Int]
    private var failure: String?

    public init(size: Int) throws {
        guard size >= 1 else { throw ConvKitError.invalidArgument(name: "size", message: "must be at least 1, got \(size)") }
        self.size = size
        broadcastSequence = [Int](repeating: 0, count: size)
        sumSequence = [Int](repeating: 0, count: size)
    }

    /// The member for process `rank`.
    public func member(_ rank: Int) -> any ProcessGroup { Member(group: self, rank: rank) }

    /// Marks the group failed (a process threw): the others' operations throw `message`.
    public func fail(_ message: String) {
        condition.lock()
        if failure == nil { failure = message }
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `body(member)` for every rank on its own thread; rethrows the first error, after
    /// failing the group so that no process waits for one that stopped.
    public func run(_ body: @escaping @Sendable (any ProcessGroup) throws -> Void) throws {
        let errors = FirstError()
        let done = DispatchGroup()
        for rank in 0..<size {
            done.enter()
            let member = self.member(rank)
            Thread {
                do { try body(member) } catch {
                    errors.record(ProcessGroupError.rankFailed(rank: rank, message: "\(error)"))
                    self.fail("rank \(rank) failed: \(error)")
                }
                done.leave()
            }.start()
        }
        done.wait()
        if let error = errors.error { throw error }
    }

    private func wait(until ready: () -> Bool) throws {
        while !ready() {
            if let failure { throw ProcessGroupError.groupFailed(message: failure) }
            condition.wait()
        }
    }

    fileprivate func send(_ values: [Float], from source: Int, to destination: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        let key = source * size + destination
        try wait { mailboxes[key] == nil }
        mailboxes[key] = values
        condition.broadcast()
    }

    fileprivate func receive(into buffer: UnsafeMutableBufferPointer<Float>, from source: Int, at destination: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        let key = source * size + destination
        try wait { mailboxes[key] != nil }
        let values = mailboxes.removeValue(forKey: key)!
        guard values.count == buffer.count else {
            throw ProcessGroupError.groupFailed(message: "rank \(destination) expected \(buffer.count) floats from rank \(source), got \(values.count)")
        }
        _ = buffer.update(from: values)
        condition.broadcast()
    }

    fileprivate func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int, rank: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        let sequence = broadcastSequence[rank]
        broadcastSequence[rank] += 1
        if rank == root {
            broadcasts[sequence] = (Array(buffer), size - 1)
            if size == 1 { broadcasts[sequence] = nil }
            condition.broadcast()
            return
        }
        try wait { broadcasts[sequence] != nil }
        _ = buffer.update(from: broadcasts[sequence]!.values)
        broadcasts[sequence]!.remaining -= 1
        if broadcasts[sequence]!.remaining == 0 { broadcasts[sequence] = nil }
    }

    fileprivate func sum(_ values: [Double], rank: Int) throws -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let sequence = sumSequence[rank]
        sumSequence[rank] += 1
        var entry = sums[sequence] ?? ([Double](repeating: 0, count: values.count), 0, 0)
        for i in values.indices { entry.total[i] += values[i] }
        entry.arrived += 1
        sums[sequence] = entry
        condition.broadcast()
        try wait { sums[sequence]!.arrived == size }
        let total = sums[sequence]!.total
        sums[sequence]!.taken += 1
        if sums[sequence]!.taken == size { sums[sequence] = nil }
        return total
    }

    private final class Member: ProcessGroup, @unchecked Sendable {
        let group: ThreadProcessGroup
        let rank: Int
        var size: Int { group.size }
        init(group: ThreadProcessGroup, rank: Int) {
            self.group = group
            self.rank = rank
        }
        func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws { try group.broadcast(buffer, root: root, rank: rank) }
        func send(_ buffer: UnsafeBufferPointer<Float>, to destination: Int) throws { try group.send(Array(buffer), from: rank, to: destination) }
        func receive(_ buffer: UnsafeMutableBufferPointer<Float>, from source: Int) throws {
            try group.receive(into: buffer, from: source, at: rank)
        }
        func sum(_ values: [Double]) throws -> [Double] { try group.sum(values, rank: rank) }
    }
}

/// Why a data-parallel run stopped.
public enum ProcessGroupError: Error, CustomStringConvertible {
    /// Process `rank` threw `message`.
    case rankFailed(rank: Int, message: String)
    /// Another process failed, so this one stopped.
    case groupFailed(message: String)

    public var description: String {
        switch self {
        case let .rankFailed(rank, message): "rank \(rank): \(message)"
        case let .groupFailed(message): message
        }
    }
}
