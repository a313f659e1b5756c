/// One measurement of `convbench`: the median time of a case and the rate it implies, with the
/// machine's peak for that kind of work measured in the same run and an optional comparison.
public struct BenchmarkRecord: Codable, Sendable, Equatable {
    /// The subcommand that measured it: `peak`, `gemm`, `conv`, `pool` or `train`.
    public var suite: String
    /// The case: "square 1024", "conv2", "pool1 2x2 max", "training b64".
    public var name: String
    /// What was run on the case: "NN", "forward auto", "backward", "" when there is one thing.
    public var variant: String
    public var threads: Int
    /// The instruction set of the kernels ("avx512", "avx2", "generic").
    public var isa: String
    /// A numeric size for charts that sweep one (the M = N = K of square GEMMs).
    public var size: Int?
    /// Median wall time of one run, in milliseconds.
    public var milliseconds: Double
    /// The fastest run, in milliseconds (nil where the suite times one long run).
    public var bestMilliseconds: Double?
    /// The rate: GFLOP/s, GB/s (bytes read + written) or images/s, per ``unit``.
    public var value: Double
    public var unit: String
    /// The machine's ceiling in the same unit, measured in the same run (FMA loop or copy), if any.
    public var peak: Double?
    public var comparison: Comparison?
    /// Timed runs behind the median (after the warm-up).
    public var runs: Int
    /// Free-form facts about the row ("chosen: direct", a kernel name).
    public var note: String?

    public init(
        suite: String, name: String, variant: String = "", threads: Int, isa: String, size: Int? = nil,
        milliseconds: Double, bestMilliseconds: Double? = nil, value: Double, unit: String, peak: Double? = nil,
        comparison: Comparison? = nil, runs: Int, note: String? = nil
    ) {
        self.suite = suite; self.name = name; self.variant = variant; self.threads = threads; self.isa = isa
        self.size = size; self.milliseconds = milliseconds; self.bestMilliseconds = bestMilliseconds; self.value = value; self.unit = unit
        self.peak = peak; self.comparison = comparison; self.runs = runs; self.note = note
    }

    /// Identifies the same measurement across runs: suite, name, variant, threads and ISA.
    public var key: String { "\(suite) | \(name) | \(variant) | \(threads)T | \(isa)" }

    /// The rate of the fastest run (``value`` when only the median is known).
    public var bestValue: Double {
        guard let best = bestMilliseconds, best > 0, milliseconds > 0 else { return value }
        return value * milliseconds / best
    }

    /// ``bestValue`` over ``peak``, when a peak was measured.
    public var bestFractionOfPeak: Double? {
        guard let peak, peak > 0 else { return nil }
        return bestValue / peak
    }

    /// ``value`` over ``peak`` (0...1 for sensible measurements), when a peak was measured.
    public var fractionOfPeak: Double? {
        guard let peak, peak > 0 else { return nil }
        return value / peak
    }
}

/// What a record is compared with: another implementation's time on the same case.
public struct Comparison: Codable, Sendable, Equatable {
    /// "OpenBLAS (SkylakeX)": the implementation and, where it matters, its configuration.
    public var name: String
    /// Its time in milliseconds (for rates per image, the time of one batch).
    public var milliseconds: Double
    /// Its time over ConvKit's: above 1 means ConvKit is faster.
    public var speedup: Double
    /// True when both were timed in this run; false for fixed figures quoted from elsewhere.
    public var measuredInSameRun: Bool

    public init(name: String, milliseconds: Double, speedup: Double, measuredInSameRun: Bool) {
        self.name = name; self.milliseconds = milliseconds; self.speedup = speedup
        self.measuredInSameRun = measuredInSameRun
    }
}
