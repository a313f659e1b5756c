import CMPI
import ConvKit
import ConvNN
import Foundation

/// The processes of `mpirun` (MPI_COMM_WORLD) as a ConvNN ``ConvNN/ProcessGroup``. MPI calls are
/// made from the thread that called ``initialize()`` (MPI_THREAD_FUNNELED); ConvKit's worker
/// threads never call MPI.
public final class MPIProcessGroup: ProcessGroup, @unchecked Sendable {
    public let rank: Int
    public let size: Int
    private let world = cmpi_comm_world()
    private static let tag: Int32 = 17

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Initialises MPI (once per process) and returns the world group.
    /// - Throws: ``ProcessGroupError`` when MPI cannot start.
    public static func initialize() throws -> MPIProcessGroup {
        var provided: Int32 = 0
        // MPI-2 and later accept null arguments.
        guard MPI_Init_thread(nil, nil, Int32(MPI_THREAD_FUNNELED), &provided) == MPI_SUCCESS else {
            throw ProcessGroupError.groupFailed(message: "MPI_Init_thread failed")
        }
        var rank: Int32 = 0, size: Int32 = 0
        MPI_Comm_rank(cmpi_comm_world(), &rank)
        MPI_Comm_size(cmpi_comm_world(), &size)
        return MPIProcessGroup(rank: Int(rank), size: Int(size))
    }

    /// Ends MPI in this process (call once, after the last operation).
    public func finalize() { MPI_Finalize() }

    /// Prints `message` naming this rank to standard error and ends every process of the job
    /// with `code` (MPI_Abort): a failing rank never leaves the others waiting.
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("Error (rank \(rank) of \(size)): \(message)\n".utf8))
        MPI_Abort(world, code)
        exit(code)
    }

    private func check(_ result: Int32, _ what: String) throws {
        guard result == MPI_SUCCESS else { throw ProcessGroupError.rankFailed(rank: rank, message: "\(what) failed with MPI error \(result)") }
    }

    public func broadcast(_ buffer: UnsafeMutableBufferPointer<Float>, root: Int) throws {
        guard buffer.count > 0 else { return }
        try check(MPI_Bcast(buffer.baseAddress, Int32(buffer.count), cmpi_float(), Int32(root), world), "MPI_Bcast")
    }

    public func send(_ buffer: UnsafeBufferPointer<Float>, to destination: Int) throws {
        try check(
            MPI_Send(buffer.baseAddress, Int32(buffer.count), cmpi_float(), Int32(destination), Self.tag, world), "MPI_Send")
    }

    public func receive(_ buffer: UnsafeMutableBufferPointer<Float>, from source: Int) throws {
        try check(
            MPI_Recv(buffer.baseAddress, Int32(buffer.count), cmpi_float(), Int32(source), Self.tag, world, cmpi_status_ignore()),
            "MPI_Recv")
    }

    public func sum(_ values: [Double]) throws -> [Double] {
        var out = values
        try out.withUnsafeMutableBufferPointer { b in
            try check(MPI_Allreduce(cmpi_in_place(), b.baseAddress, Int32(b.count), cmpi_double(), cmpi_sum(), world), "MPI_Allreduce")
        }
        return out
    }
}
