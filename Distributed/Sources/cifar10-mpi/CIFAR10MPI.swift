import ArgumentParser
import ConvKit
import ConvNN
import ConvNNDistributed
import Foundation

/// `mpirun -np N cifar10-mpi --data DIR`: `cifar10 train`'s model and defaults trained
/// data-parallel over MPI. Every rank reads the folder (a shared file system) and runs its share
/// of every global batch; only rank 0 prints and writes files. The weights are bitwise those of
/// `cifar10 train` with the same options on one process.
@main
struct CIFAR10MPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cifar10-mpi", abstract: "Train the Keras tutorial CIFAR-10 CNN data-parallel over MPI (run under mpirun).")

    @Option(help: "The cifar-10-batches-bin folder, readable by every rank.") var data: String
    @Option(help: "Epochs.") var epochs = 10
    @Option(help: "Global batch size (every rank runs its share).") var batchSize = 32
    @Option(help: "Threads per process (default: CONVKIT_NUM_THREADS or all cores).") var threads: Int?
    @Option(help: "Seed of the weights, the shuffling and the dropout masks.") var seed: UInt64 = 1
    @Option(help: "Rank 0 saves the trained model to this file.") var save: String?

    func run() throws {
        let group = try MPIProcessGroup.initialize()
        do {
            guard epochs >= 1, batchSize >= 1 else { throw ValidationError("--epochs and --batch-size must be at least 1") }
            let environment = try ExecutionContext.fromEnvironment()
            let context = try ExecutionContext(threads: threads ?? environment.threads, isa: environment.isa)
            if group.rank == 0, let save { try AtomicFile.checkWritable(save, bytes: 1_000_000, option: "--save") }
            let (train, test) = try CIFAR10.load(directory: data)
            let model = try KerasTutorialCNN.make(seed: seed, context: context)
            if group.rank == 0 {
                print(model.summary())
                print("Training on \(train.count) images, \(group.size) process(es) x \(context.threads) thread(s), global batch \(batchSize)")
            }
            try DataParallel.fit(
                model, train, epochs: epochs, batchSize: batchSize, optimizer: Adam(), validation: test, seed: seed, group: group,
                onEpoch: { r in
                    guard group.rank == 0 else { return }
                    print(
                        String(
                            format: "Epoch %d: %.1fs - %.0f img/s - loss %.4f - accuracy %.4f - val_loss %.4f - val_accuracy %.4f", r.epoch,
                            r.seconds, r.imagesPerSecond, r.loss, r.accuracy, r.validationLoss ?? .nan, r.validationAccuracy ?? .nan))
                    fflush(nil)
                })
            if group.rank == 0, let save {
                try ModelFile.save(model, to: save, option: "--save")
                print("Saved \(save)")
            }
        } catch {
            group.abort("\(error)")
        }
        group.finalize()
    }
}
