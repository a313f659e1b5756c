import ConvKit
import Dispatch

/// One epoch's results.
public struct EpochRecord: Sendable, Codable {
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// Training throughput: images per second of the epoch (forward + backward + update).
    public var imagesPerSecond: Double
    public var seconds: Double

    public init(
        epoch: Int, loss: Double, accuracy: Double, validationLoss: Double? = nil,
        validationAccuracy: Double? = nil, imagesPerSecond: Double, seconds: Double
    ) {
        self.epoch = epoch; self.loss = loss; self.accuracy = accuracy
        self.validationLoss = validationLoss; self.validationAccuracy = validationAccuracy
        self.imagesPerSecond = imagesPerSecond; self.seconds = seconds
    }
}

/// Progress of a running epoch, reported after every batch.
public struct TrainingProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var batch: Int, batches: Int
    public var seen: Int
    public var loss: Double, accuracy: Double
    public var elapsed: Double
    public var imagesPerSecond: Double { elapsed > 0 ? Double(seen) / elapsed : 0 }
    /// Seconds left in this epoch at the current rate.
    public var eta: Double { batch > 0 ? elapsed / Double(batch) * Double(batches - batch) : 0 }
}

/// The order in which ``Sequential/fit(_:epochs:batchSize:optimizer:loss:validation:seed:shuffle:onBatch:onEpoch:)``
/// visits the training images.
public enum ShuffleMode: String, Sendable, CaseIterable {
    /// A new permutation every epoch (Keras' documented `shuffle=True`, PyTorch's `shuffle=True`).
    case everyEpoch = "every-epoch"
    /// One permutation, drawn before the first epoch and repeated in every epoch: what Keras 3
    /// on TensorFlow does after `keras.utils.set_random_seed` (its permutation is a random op in
    /// a tf.data map, which restarts from the seed each time an epoch re-iterates the dataset).
    case once
    /// The data's own order, every epoch (Keras' `shuffle=False`).
    case none
}

extension Sequential {
    /// Trains for `epochs` passes over `data`, in mini-batches of `batchSize` (the last one may
    /// be smaller, as in Keras), visiting the images in the order `shuffle` says (by default a
    /// new permutation every epoch, drawn by a generator seeded with `seed`).
    /// Bitwise reproducible for a seed and data, whatever the thread count.
    ///
    /// A `batchSize` above the number of examples trains on whole-data batches, as Keras does.
    ///
    /// - Parameters:
    ///   - checkpoint: a file to save the run to after every epoch (weights, optimizer state,
    ///     counters, history), atomically: Keras' `BackupAndRestore` (every built-in optimizer can be checkpointed).
    ///   - resume: a checkpoint written by a run with the same model, optimizer, data size, batch
    ///     size, seed and shuffle mode; training continues after its last epoch, bitwise as if it
    ///     had never stopped, and the returned history includes its epochs.
    ///   - loss: the training loss (its penalty-free value and Keras' `"accuracy"` for it are reported).
    ///   - validation: data evaluated after every epoch (Keras' `validation_data`).
    ///   - validationSplit: instead of `validation`, the last fraction of `data` (before
    ///     shuffling) held out for it (Keras' `validation_split`); 0 for none.
    ///   - callbacks: run at the start, after every epoch (which may stop training) and at the end,
    ///     in order (``EarlyStopping``, ``EpochCallback``).
    ///   - onBatch: called after every batch (for a progress line).
    ///   - onEpoch: called after every epoch, with the validation results when there are any.
    /// - Returns: the history, one record per epoch run.
    /// - Throws: ``ConvKit/ConvKitError`` before any training for data that does not fit the model
    ///   or the loss (shape, labels out of range, target width), `epochs < 0`, `batchSize < 1`, a
    ///   malformed schedule or clipping value, a checkpoint that cannot be written or a resume file
    ///   that does not fit the run; a failed checkpoint save after an epoch; a callback's error.
    @discardableResult
    public func fit(
        _ data: Dataset, epochs: Int, batchSize: Int, optimizer: any Optimizer,
        loss: Loss = .softmaxCrossEntropy, validation: Dataset? = nil, validationSplit: Double = 0, seed: UInt64 = 0,
        shuffle: ShuffleMode = .everyEpoch, checkpoint: String? = nil, resume: String? = nil,
        callbacks: [any TrainingCallback] = [],
        onBatch: ((TrainingProgress) -> Void)? = nil,
        onEpoch: ((EpochRecord) -> Void)? = nil
    ) throws -> [EpochRecord] {
        var (data, validation) = (data, validation)
        if validationSplit != 0 {
            guard validation == nil else {
                throw ConvKitError.invalidArgument(name: "validationSplit", message: "cannot be used together with validation data; pass one")
            }
            (data, validation) = try data.split(validationFraction: validationSplit)
        }
        let (training, held) = (data, validation)
        return try Denormals.withMode {
            try fitBody(
                training, epochs: epochs, batchSize: batchSize, optimizer: optimizer, loss: loss, validation: held,
                seed: seed, shuffle: shuffle, checkpoint: checkpoint, resume: resume, callbacks: callbacks,
                onBatch: onBatch, onEpoch: onEpoch)
        }
    }

    /// The training loop of ``fit(_:epochs:batchSize:optimizer:loss:validation:validationSplit:seed:shuffle:checkpoint:resume:callbacks:onBatch:onEpoch:)``
    /// and, with a `group`, of ``DataParallel``: this process then copies and runs only its slices
    /// of each batch, and the slices' gradients are summed across the group in slice order.
    func fitBody(
        _ data: Dataset, epochs: Int, batchSize: Int, optimizer: any Optimizer, loss: Loss,
        validation: Dataset?, seed: UInt64, shuffle: ShuffleMode, checkpoint: String?, resume: String?,
        callbacks: [any TrainingCallback], onBatch: ((TrainingProgress) -> Void)?, onEpoch: ((EpochRecord) -> Void)?,
        group: (any ProcessGroup)? = nil
    ) throws -> [EpochRecord] {
        try check(data, loss: loss)
        if let validation { try check(validation, loss: loss) }
        try optimizer.validate()
        guard epochs >= 0 else { throw ConvKitError.invalidArgument(name: "epochs", message: "must be >= 0, got \(epochs)") }
        guard batchSize >= 1 else { throw ConvKitError.invalidArgument(name: "batchSize", message: "must be >= 1, got \(batchSize)") }
        let n = data.count, per = inputShape.count, classes = outputShape.count
        let fused = fuseOutputActivation(with: loss)
        // Batches never hold more than the data (the label buffer is sized after this cap).
        let batchSize = min(batchSize, n)
        let run = TrainingCheckpoint.Run(seed: seed, shuffle: shuffle, batchSize: batchSize, examples: n)
        let saver = try checkpoint.map { path in
            let o = try TrainingCheckpoint.requireCheckpointable(optimizer)
            try AtomicFile.checkWritable(path, bytes: (parameterCount * 3 + nonTrainableCount + 4096) * 4, option: "checkpoint")
            return (path, o)
        }
        // Rank 0's weights everywhere; the slices other processes run still count in Dropout.
        if let group { for p in weights { try group.broadcast(p.value, root: 0) } }
        let dropouts = group == nil ? [] : layers.compactMap { $0 as? Dropout }
        var order = Array(0..<n)
        var generator = SplitMix64(seed: seed)
        var labels = [Int32](repeating: 0, count: batchSize)
        var targets = data.targets.map { _ in [Float](repeating: 0, count: batchSize * classes) }
        var history: [EpochRecord] = []
        var step = 0
        var firstEpoch = 1
        if let resume {
            let o = try TrainingCheckpoint.requireCheckpointable(optimizer)
            _ = try plan(batch: batchSize)  // reserves the slices whose state the checkpoint restores
            let restored = try TrainingCheckpoint.resume(self, optimizer: o, run: run, epochs: epochs, from: resume, option: "resume")
            (step, history, firstEpoch) = (restored.step, restored.history, restored.epochsDone + 1)
            // Replays the permutations of the epochs done, so the next epoch visits what it would have.
            for epoch in 1..<firstEpoch where shuffle == .everyEpoch || (shuffle == .once && epoch == 1) {
                order.shuffle(using: &generator)
            }
        }
        let batches = (n + batchSize - 1) / batchSize
        for c in callbacks { try c.trainingBegan(model: self) }
        epochs: for epoch in firstEpoch...max(firstEpoch, epochs) where epochs >= firstEpoch {
            if shuffle == .everyEpoch || (shuffle == .once && epoch == 1) { order.shuffle(using: &generator) }
            let start = DispatchTime.now().uptimeNanoseconds
            var lossSum = 0.0, correct = 0, judged = 0
            for b in 0..<batches {
                let lo = b * batchSize, size = min(batchSize, n - lo)
                let plan = try plan(batch: size)
                // This process's slices (all of them without a group) and their rows, contiguous.
                let mine = group.map { DataParallel.slices(count: plan.slices.count, rank: $0.rank, size: $0.size) } ?? 0..<plan.slices.count
                let rows =
                    mine.isEmpty
                    ? 0..<0 : plan.slices[mine.lowerBound].first..<(plan.slices[mine.upperBound - 1].first + plan.slices[mine.upperBound - 1].count)
                data.images.withUnsafeBufferPointer { src in
                    let dst = plan.activations[0].baseAddress!
                    for i in rows { (dst + i * per).update(from: src.baseAddress! + order[lo + i] * per, count: per) }
                }
                for i in rows { labels[i] = data.labels[order[lo + i]] }
                if let all = data.targets {
                    for i in rows {
                        for j in 0..<classes { targets![i * classes + j] = all[order[lo + i] * classes + j] }
                    }
                }
                // Keras' loss includes the penalty of the weights this batch ran with.
                let penalty = regularized.isEmpty ? 0 : try regularizationPenalty()
                let y = try forward(plan, training: true, slices: mine)
                var batchLoss: Float = 0
                var counts = (correct: 0, total: 0)
                if !rows.isEmpty {
                    let outputs = (rows.lowerBound * classes)..<(rows.upperBound * classes)
                    try withOptionalBuffer(targets) { t in
                        try labels.withUnsafeBufferPointer { l in
                            let t = t.map { UnsafeBufferPointer(rebasing: $0[outputs]) }, l = UnsafeBufferPointer(rebasing: l[rows])
                            // Divided by the whole batch's size, also where this process holds part of it.
                            batchLoss = try loss.evaluate(
                                outputs: UnsafeBufferPointer(rebasing: y[outputs]), labels: l, targets: t, classes: classes, fused: fused,
                                gradient: UnsafeMutableBufferPointer(rebasing: plan.outputGradient[outputs]), meanOver: size)
                            counts = loss.accuracyCounts(
                                outputs: UnsafeBufferPointer(rebasing: y[outputs]), labels: l, targets: t, rows: rows.count, classes: classes)
                        }
                    }
                }
                if let group {
                    try backwardSlices(plan, mine)
                    for k in 0..<plan.slices.count where !mine.contains(k) {
                        for d in dropouts { d.countSliceRunElsewhere(k) }
                    }
                    try sumSliceGradients(plan, mine: mine, over: group)
                    try addRegularizerGradients()
                    let total = try group.sum([Double(batchLoss) * Double(size), Double(counts.correct), Double(counts.total)])
                    lossSum += total[0] + penalty * Double(size)
                    correct += Int(total[1])
                    judged += Int(total[2])
                } else {
                    try backward(plan)
                    lossSum += (Double(batchLoss) + penalty) * Double(size)
                    correct += counts.correct
                    judged += counts.total
                }
                step += 1
                try optimizer.update(parameters, step: step)
                if let onBatch {
                    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                    onBatch(
                        TrainingProgress(
                            epoch: epoch, epochs: epochs, batch: b + 1, batches: batches, seen: lo + size,
                            loss: lossSum / Double(lo + size), accuracy: Double(correct) / Double(judged),
                            elapsed: elapsed))
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            var record = EpochRecord(
                epoch: epoch, loss: lossSum / Double(n), accuracy: Double(correct) / Double(judged),
                imagesPerSecond: Double(n) / seconds, seconds: seconds)
            if let validation {
                let (l, a) = try evaluate(validation, loss: loss)
                record.validationLoss = l
                record.validationAccuracy = a
            }
            history.append(record)
            if let (path, o) = saver {
                try TrainingCheckpoint.save(
                    self, optimizer: o, run: run, epochsDone: epoch, step: step, history: history,
                    to: path, option: "checkpoint")
            }
            onEpoch?(record)
            for c in callbacks where try c.epochEnded(record, model: self) == .stop { break epochs }
        }
        for c in callbacks { try c.trainingEnded(model: self) }
        return history
    }

    /// Mean loss (with the regularizers' penalty, as Keras reports it) and accuracy over `data`
    /// in inference mode.
    /// - Throws: ``ConvKit/ConvKitError`` for data that does not fit the model or the loss.
    public func evaluate(_ data: Dataset, loss: Loss = .softmaxCrossEntropy, batchSize: Int = 128) throws -> (loss: Double, accuracy: Double) {
        try check(data, loss: loss)
        let outputs = try predict(data.images, batchSize: batchSize)
        let classes = outputShape.count
        let fused = loss.fusableActivation != nil && (layers.last as? any OutputActivationFusing)?.outputActivation == loss.fusableActivation
        let l = try outputs.withUnsafeBufferPointer { o in
            try withOptionalBuffer(data.targets) { t in
                try data.labels.withUnsafeBufferPointer {
                    try loss.evaluate(outputs: o, labels: $0, targets: t, classes: classes, fused: fused, gradient: nil)
                }
            }
        }
        let counts = outputs.withUnsafeBufferPointer { o in
            withOptionalBuffer(data.targets) { t in
                data.labels.withUnsafeBufferPointer {
                    loss.accuracyCounts(outputs: o, labels: $0, targets: t, rows: data.count, classes: classes)
                }
            }
        }
        return (Double(l) + (try regularizationPenalty()), Double(counts.correct) / Double(max(1, counts.total)))
    }

    func check(_ data: Dataset, loss: Loss) throws {
        guard data.shape == inputShape else {
            throw ConvKitError.invalidArgument(name: "data", message: "images are \(data.shape) but the model takes \(inputShape)")
        }
        guard data.count > 0 else { throw ConvKitError.invalidArgument(name: "data", message: "is empty") }
        try loss.check(data, outputs: outputShape.count)
    }
}

extension Sequential {
    /// Runs one forward and backward pass on a batch (training mode) and leaves dL/dparameter in
    /// every ``Parameter/gradient``, without updating anything; returns the mean loss.
    /// - Throws: ``ConvKit/ConvKitError`` when the images or labels do not fit the model.
    public func computeGradients(images: [Float], labels: [Int32], loss: Loss = .softmaxCrossEntropy) throws -> Float {
        let data = try Dataset(shape: inputShape, images: images, labels: labels)
        return try computeGradients(data, loss: loss)
    }

    /// As ``computeGradients(images:labels:loss:)`` for a dataset (with target rows when it has
    /// them); the returned loss includes the regularizers' penalty and their gradients are added.
    public func computeGradients(_ data: Dataset, loss: Loss = .softmaxCrossEntropy) throws -> Float {
        try check(data, loss: loss)
        let plan = try plan(batch: data.count)
        data.images.withUnsafeBufferPointer { plan.activations[0].baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
        let penalty = try regularizationPenalty()
        let fused = fuseOutputActivation(with: loss)
        let y = try forward(plan, training: true)
        let value = try withOptionalBuffer(data.targets) { t in
            try data.labels.withUnsafeBufferPointer { l in
                try loss.evaluate(
                    outputs: UnsafeBufferPointer(y), labels: l, targets: t, classes: outputShape.count, fused: fused,
                    gradient: UnsafeMutableBufferPointer(rebasing: plan.outputGradient[0..<y.count]))
            }
        }
        try backward(plan)
        return Float(Double(value) + penalty)
    }
}

/// `body` with a buffer of `array`, or nil.
func withOptionalBuffer<R>(_ array: [Float]?, _ body: (UnsafeBufferPointer<Float>?) throws -> R) rethrows -> R {
    guard let array else { return try body(nil) }
    return try array.withUnsafeBufferPointer { try body($0) }
}
