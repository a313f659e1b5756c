import ConvKit
import Dispatch

/// Data-parallel training over a ``ProcessGroup`` (MPI processes, or threads), bitwise equal to
/// ``Sequential/fit(_:epochs:batchSize:optimizer:loss:validation:validationSplit:seed:shuffle:checkpoint:resume:callbacks:onBatch:onEpoch:)``
/// in one process with the same data, global batch size and seed, for any number of processes.
///
/// Every process holds the whole model and the whole data set (or reads the same files), draws
/// the same permutation, and cuts each global batch into the slices a single process would
/// (``Sequential/sliceCount(batch:)``, a function of the batch size only). Process `r` of `P` runs
/// slices `r*S/P ..< (r+1)*S/P` (``slices(count:rank:size:)``) with its own threads. The slices'
/// parameter gradients are then summed in slice order, as one process sums them, by a chain: the
/// process holding slice 0 starts the sum, each next process adds its slices and passes it on,
/// and the last broadcasts the total. Every process then runs the same optimizer step. So the
/// sum is `((g0 + g1) + g2) + ...` whatever the process count: 1, 2, 4 or any other number of
/// processes gives the same bits (with more processes than slices, some hold none and only take
/// part in the broadcast). Dropout masks follow the slice, not the process.
///
/// Not covered: layers that need statistics of the whole batch (``BatchNormalization``), and
/// checkpoints (every process would write one); both throw before training.
public enum DataParallel {
    /// The slices of a batch of `count` slices that process `rank` of `size` runs.
    public static func slices(count: Int, rank: Int, size: Int) -> Range<Int> {
        (rank * count / size)..<((rank + 1) * count / size)
    }

    /// Trains `model` on `data` with the processes of `group`, each calling this with the same
    /// arguments. Rank 0's weights are broadcast first. The history (the same on every process)
    /// reports the global batch's loss and accuracy.
    /// - Throws: ``ConvKit/ConvKitError`` before training for what ``Sequential`` fit refuses and
    ///   for batch-coupled layers; a ``ProcessGroupError`` when a process fails.
    @discardableResult
    public static func fit(
        _ model: Sequential, _ data: Dataset, epochs: Int, batchSize: Int, optimizer: any Optimizer,
        loss: Loss = .softmaxCrossEntropy, validation: Dataset? = nil, seed: UInt64 = 0, shuffle: ShuffleMode = .everyEpoch,
        group: any ProcessGroup, callbacks: [any TrainingCallback] = [], onBatch: ((TrainingProgress) -> Void)? = nil,
        onEpoch: ((EpochRecord) -> Void)? = nil
    ) throws -> [EpochRecord] {
        if let coupled = model.layers.first(where: { $0 is any BatchCoupledLayer }) {
            throw ConvKitError.invalidArgument(
                name: "model",
                message:
                    "layer \(coupled.name) (\(coupled.typeName)) needs statistics of the whole batch, which data-parallel training does not combine across processes"
            )
        }
        return try Denormals.withMode {
            try model.fitBody(
                data, epochs: epochs, batchSize: batchSize, optimizer: optimizer, loss: loss, validation: validation, seed: seed,
                shuffle: shuffle, checkpoint: nil, resume: nil, callbacks: callbacks, onBatch: onBatch, onEpoch: onEpoch, group: group)
        }
    }
}

extension Sequential {
    /// Sums every parameter's slice gradients in slice order across `group` (see ``DataParallel``):
    /// each process holding slices receives the running sum from the previous such process, adds
    /// its own slices in order and passes it on; the last broadcasts the total, which every
    /// process then holds in ``Parameter/gradient``.
    func sumSliceGradients(_ plan: Plan, mine: Range<Int>, over group: any ProcessGroup) throws {
        let count = plan.slices.count, size = group.size
        func holdsSlices(_ rank: Int) -> Bool { !DataParallel.slices(count: count, rank: rank, size: size).isEmpty }
        let previous = (0..<group.rank).last(where: holdsSlices)
        let next = ((group.rank + 1)..<size).first(where: holdsSlices)
        let last = (0..<size).last(where: holdsSlices)!
        for p in parameters {
            if !mine.isEmpty {
                if let previous { try group.receive(p.gradient, from: previous) }
                for k in mine where k > 0 {
                    try OptimizerKernels.accumulate(UnsafeBufferPointer(p.gradient(slice: k)), into: p.gradient, context: context)
                }
                if let next { try group.send(UnsafeBufferPointer(p.gradient), to: next) }
            }
            try group.broadcast(p.gradient, root: last)
        }
    }
}
