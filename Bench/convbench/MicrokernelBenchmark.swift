import ArgumentParser
import ConvKit
import ConvNN

/// `convbench ukernel`: each available microkernel on packed panels that stay in L1/L2 (no
/// packing, no memory traffic), against the FMA ceiling of its ISA measured just before.
struct MicrokernelBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ukernel",
        abstract: "Time each GEMM microkernel in cache (k x MR A panel, k x NR B panel, one C tile).")

    @Option(name: .long, help: "Depth k of the panels.")
    var k = 256

    @Option(name: .long, help: "Number of row tiles that share one B micro-panel (as in the macro-kernel).")
    var tiles = 12

    @Option(name: .long, help: "Rounds of (ceiling probe, kernel runs).")
    var rounds = 7

    @Option(
        name: .long,
        help: "Inputs: 'random' (uniform in [-1, 1]) or 'regular' (small non-negative repeating values), to check that timings do not depend on the data).")
    var data = "random"

    func run() throws {
        guard k >= 1, tiles >= 1 else { throw ValidationError("--k and --tiles must be positive") }
        guard data == "random" || data == "regular" else {
            throw ValidationError("--data must be 'random' or 'regular', got '\(data)'")
        }
        // Plain locals: reading an ArgumentParser @Option goes through its property wrapper
        // (enum payload and metadata look-ups), which inside the timed loop cost about 0.5 us a call.
        let k = self.k, tiles = self.tiles, rounds = self.rounds, regular = data == "regular"
        print("kernel                   k     tiles  ceiling  best GF/s %ceil  best-round median GF/s %ceil")
        for kernel in KernelTable.available.flatMap(\.gemm) {
            let mr = kernel.mr, nr = kernel.nr
            // 64-byte aligned panels, as the GEMM driver's packing workspaces are.
            let a = alignedInputs(count: tiles * mr * k, seed: 7, regularPeriod: regular ? 7 : nil)
            let b = alignedInputs(count: nr * k, seed: 8, regularPeriod: regular ? 5 : nil)
            let c = alignedInputs(count: tiles * mr * nr, seed: 9, regularPeriod: regular ? 3 : nil)
            defer { for buffer in [a, b, c] { UnsafeMutableRawPointer(buffer).deallocate() } }
            // The host's speed drifts: alternate the ceiling probe and the kernel over several rounds
            // and compare the best of each (medians are printed too).
            var ceiling = 0.0
            var time = (best: Double.infinity, median: Double.infinity)
            for _ in 0..<rounds {
                ceiling = max(ceiling, FMACeiling.measure(kernel: kernel, threads: 1, minTime: 0.02))
                let round = Stopwatch.bestAndMedian(runs: 100) {
                    for t in 0..<tiles {
                        kernel.runTile(
                            m: mr, n: nr, k: k, a: a + t * mr * k, aStride: mr, b: b, bStride: nr,
                            c: c + t * mr * nr, ldc: nr, alpha: 1, beta: 1)
                    }
                }
                time = (min(time.best, round.best), min(time.median, round.median))
            }
            let flops = 2.0 * Double(tiles * mr * nr * k)
            let best = flops / time.best * 1e-9, median = flops / time.median * 1e-9
            print(
                kernel.name.padding(toLength: 25, withPad: " ", startingAt: 0)
                    + String(
                        format: "%-6d%-7d%-9.1f%-10.1f%-7.1f%-12.1f%.1f", k, tiles, ceiling, best,
                        100 * best / ceiling, median, 100 * median / ceiling))
        }
    }
}

/// `count` floats in a new 64-byte aligned allocation (the caller deallocates it): uniform in
/// [-1, 1], or `Float(i % regularPeriod) * 0.1` when a period is given.
private func alignedInputs(count: Int, seed: UInt64, regularPeriod: Int?) -> UnsafeMutablePointer<Float> {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64)
        .bindMemory(to: Float.self, capacity: count)
    var generator = SplitMix64(seed: seed)
    for i in 0..<count {
        if let period = regularPeriod {
            buffer[i] = Float(i % period) * 0.1
        } else {
            buffer[i] = Float.random(in: -1...1, using: &generator)
        }
    }
    return buffer
}
