import ArgumentParser

/// `--threads 1 2`: the thread counts a benchmark runs, shared by every subcommand.
struct ThreadCounts: ParsableArguments {
    @Option(name: .customLong("threads"), parsing: .upToNextOption, help: "Thread counts to run.")
    var values: [Int] = [1, 2]

    func validate() throws {
        guard !values.isEmpty, values.allSatisfy({ $0 >= 1 }) else {
            throw ValidationError("--threads takes positive integers, got \(values)")
        }
    }
}
