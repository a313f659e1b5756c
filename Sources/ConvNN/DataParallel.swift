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
        try model.check(data, loss: loss)
        if let validation { try model.check(validation, loss: loss) }
        try optimizer.validate()
        guard epochs >= 0 else { throw ConvKitError.invalidArgument(name: "epochs", message: "must be >= 0, got \(epochs)") }
        guard batchSize >= 1 else { throw ConvKitError.invalidArgument(name: "batchSize", message: "must be >= 1, got \(batchSize)") }
        return try Denormals.withMode {
            try Run(model: model, data: data, batchSize: min(batchSize, data.count), optimizer: optimizer, loss: loss, group: group)
                .train(epochs: epochs, validation: validation, seed: seed, shuffle: shuffle, callbacks: callbacks, onBatch: onBatch, onEpoch: onEpoch)
        }
    }

    /// One process's state of a run.
    private struct Run {
        let model: Sequential, data: Dataset, batchSize: Int, optimizer: any Optimizer, loss: Loss, group: any ProcessGroup
        let dropouts: [Dropout]

        init(model: Sequential, data: Dataset, batchSize: Int, optimizer: any Optimizer, loss: Loss, group: any ProcessGroup) {
            (self.model, self.data, self.batchSize, self.optimizer, self.loss, self.group) = (model, data, batchSize, optimizer, loss, group)
            dropouts = model.layers.compactMap { $0 as? Dropout }
        }

        func train(
            epochs: Int, validation: Dataset?, seed: UInt64, shuffle: ShuffleMode, callbacks: [any TrainingCallback],
            onBatch: ((TrainingProgress) -> Void)?, onEpoch: ((EpochRecord) -> Void)?
        ) throws -> [EpochRecord] {
            for p in model.weights { try group.broadcast(p.value, root: 0) }
            let n = data.count, per = model.inputShape.count, classes = model.outputShape.count
            let fused = model.fuseOutputActivation(with: loss)
            var order = Array(0..<n)
            var generator = SplitMix64(seed: seed)
            var labels = [Int32](repeating: 0, count: batchSize)
            var targets = data.targets.map { _ in [Float](repeating: 0, count: batchSize * classes) }
            var history: [EpochRecord] = []
            var step = 0
            let batches = (n + batchSize - 1) / batchSize
            for c in callbacks { try c.trainingBegan(model: model) }
            epochs: for epoch in 1...max(1, epochs) where epochs >= 1 {
                if shuffle == .everyEpoch || (shuffle == .once && epoch == 1) { order.shuffle(using: &generator) }
                let start = DispatchTime.now().uptimeNanoseconds
                var lossSum = 0.0, correct = 0.0, judged = 0.0
                for b in 0..<batches {
                    let lo = b * batchSize, size = min(batchSize, n - lo)
                    let plan = try model.plan(batch: size)
                    let mine = DataParallel.slices(count: plan.slices.count, rank: group.rank, size: group.size)
                    // This process's rows of the batch: its slices are contiguous.
                    let rows =
                        mine.isEmpty
                        ? 0..<0 : plan.slices[mine.lowerBound].first..<(plan.slices[mine.upperBound - 1].first + plan.slices[mine.upperBound - 1].count)
                    data.images.withUnsafeBufferPointer { src in
                        let dst = plan.activations[0].baseAddress!
                        for i in rows { (dst + i * per).update(from: src.baseAddress! + order[lo + i] * per, count: per) }
                    }
                    for i in rows { labels[i] = data.labels[order[lo + i]] }
                    if let all = data.targets {
                        for i in rows { for j in 0..<classes { targets![i * classes + j] = all[order[lo + i] * classes + j] } }
                    }
                    let penalty = model.regularized.isEmpty ? 0 : try model.regularizationPenalty()
                    let y = try model.forward(plan, training: true, slices: mine)
                    var part = [0.0, 0.0, 0.0]
                    if !rows.isEmpty {
                        let value = try withOptionalBuffer(targets) { t in
                            try labels.withUnsafeBufferPointer { l in
                                try loss.evaluate(
                                    outputs: UnsafeBufferPointer(rebasing: y[(rows.lowerBound * classes)..<(rows.upperBound * classes)]),
                                    labels: UnsafeBufferPointer(rebasing: l[rows]),
                                    targets: t.map { UnsafeBufferPointer(rebasing: $0[(rows.lowerBound * classes)..<(rows.upperBound * classes)]) },
                                    classes: classes, fused: fused,
                                    gradient: UnsafeMutableBufferPointer(
                                        rebasing: plan.outputGradient[(rows.lowerBound * classes)..<(rows.upperBound * classes)]),
                                    meanOver: size)
                            }
                        }
                        let counts = loss.accuracyCounts(
                            outputs: UnsafeBufferPointer(rebasing: y[(rows.lowerBound * classes)..<(rows.upperBound * classes)]),
                            labels: Array(labels[rows]), targets: targets.map { Array($0[(rows.lowerBound * classes)..<(rows.upperBound * classes)]) },
                            rows: rows.count, classes: classes)
                        part = [Double(value) * Double(size), Double(counts.correct), Double(counts.total)]
                    }
                    try model.backwardSlices(plan, mine)
                    for k in 0..<plan.slices.count where !mine.contains(k) {
                        for d in dropouts { d.countSliceRunElsewhere(k) }
                    }
                    try sumGradients(plan: plan, mine: mine)
                    try model.addRegularizerGradients()
                    step += 1
                    try optimizer.update(model.parameters, step: step)
                    let total = try group.sum(part)
                    lossSum += total[0] + penalty * Double(size)
                    correct += total[1]
                    judged += total[2]
                    if let onBatch {
                        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                        onBatch(
                            TrainingProgress(
                                epoch: epoch, epochs: epochs, batch: b + 1, batches: batches, seen: lo + size,
                                loss: lossSum / Double(lo + size), accuracy: correct / max(1, judged), elapsed: elapsed))
                    }
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                var record = EpochRecord(
                    epoch: epoch, loss: lossSum / Double(n), accuracy: correct / max(1, judged), imagesPerSecond: Double(n) / seconds,
                    seconds: seconds)
                if let validation {
                    let (l, a) = try model.evaluate(validation, loss: loss)
                    record.validationLoss = l
                    record.validationAccuracy = a
                }
                history.append(record)
                onEpoch?(record)
                for c in callbacks where try c.epochEnded(record, model: model) == .stop { break epochs }
            }
            for c in callbacks { try c.trainingEnded(model: model) }
            return history
        }

        /// Sums every parameter's slice gradients in slice order across the processes (see
        /// ``DataParallel``); afterwards every process holds the total in ``Parameter/gradient``.
        func sumGradients(plan: Sequential.Plan, mine: Range<Int>) throws {
            let count = plan.slices.count, size = group.size
            let owners = (0..<size).filter { !DataParallel.slices(count: count, rank: $0, size: size).isEmpty }
            let position = owners.firstIndex(of: group.rank)
            for p in model.parameters {
                if let position {
                    if position > 0 { try group.receive(p.gradient, from: owners[position - 1]) }
                    for k in mine where k > 0 {
                        try OptimizerKernels.accumulate(UnsafeBufferPointer(p.gradient(slice: k)), into: p.gradient, context: model.context)
                    }
                    if position < owners.count - 1 { try group.send(UnsafeBufferPointer(p.gradient), to: owners[position + 1]) }
                }
                try group.broadcast(p.gradient, root: owners.last!)
            }
        }
    }
}
