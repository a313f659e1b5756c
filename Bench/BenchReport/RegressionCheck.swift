/// Compares a run against a saved baseline, record by record, for `convbench check`.
///
/// Shared (virtual) machines drift by tens of percent, so the check compares, in this order of
/// preference: the speedup over another implementation timed alternately in the same run (it sees
/// the same machine, caches and memory contention included); the rate of the case's fastest run
/// as a fraction of a peak measured in its own run (GFLOP/s over the FMA ceiling, GB/s over the
/// copy bandwidth), which cancels drift of the clock; the fastest run's rate itself.
public struct RegressionCheck: Sendable {
    /// The allowed drop, as a fraction: 0.15 accepts a record down to 85% of its baseline.
    public var tolerance: Double

    public init(tolerance: Double) { self.tolerance = tolerance }

    public enum Verdict: String, Sendable, Equatable {
        case regressed, improved, unchanged
    }

    public struct Finding: Sendable, Equatable {
        public var key: String
        /// Current over baseline of the compared quantity (below 1: slower).
        public var ratio: Double
        /// "fraction of peak" or the unit compared.
        public var basis: String
        public var baseline: Double, current: Double
        public var verdict: Verdict
    }

    public struct Outcome: Sendable, Equatable {
        public var findings: [Finding]
        /// Keys in the baseline that this run did not measure.
        public var missing: [String]
        /// Keys this run measured that the baseline lacks.
        public var new: [String]
        public var regressions: [Finding] { findings.filter { $0.verdict == .regressed } }
        public var passed: Bool { regressions.isEmpty }
    }

    /// Of several runs of the same cases, the record of each key with the highest compared
    /// quantity (the best of N rounds), in first-seen order.
    public static func bestOf(_ runs: [[BenchmarkRecord]]) -> [BenchmarkRecord] {
        var order: [String] = []
        var best: [String: BenchmarkRecord] = [:]
        for record in runs.joined() {
            guard let current = best[record.key] else { order.append(record.key); best[record.key] = record; continue }
            if Self.comparedQuantity(record) > Self.comparedQuantity(current) {
                best[record.key] = record
            }
        }
        return order.map { best[$0]! }
    }

    static func comparedQuantity(_ r: BenchmarkRecord) -> Double {
        if let c = r.comparison, c.measuredInSameRun { return c.speedup }
        return r.bestFractionOfPeak ?? r.bestValue
    }

    public func compare(baseline: [BenchmarkRecord], current: [BenchmarkRecord]) -> Outcome {
        let old = Dictionary(baseline.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        let currentKeys = Set(current.map(\.key))
        var findings: [Finding] = []
        var new: [String] = []
        for record in current {
            guard let base = old[record.key] else { new.append(record.key); continue }
            let (b, c, basis): (Double, Double, String)
            if let bc = base.comparison, let cc = record.comparison, bc.measuredInSameRun, cc.measuredInSameRun, bc.name == cc.name {
                (b, c, basis) = (bc.speedup, cc.speedup, "speedup over \(cc.name)")
            } else if let bf = base.bestFractionOfPeak, let cf = record.bestFractionOfPeak {
                (b, c, basis) = (bf, cf, "fraction of peak")
            } else {
                (b, c, basis) = (base.bestValue, record.bestValue, record.unit)
            }
            let ratio = b > 0 ? c / b : (c > 0 ? .infinity : 1)
            let verdict: Verdict = ratio < 1 - tolerance ? .regressed : ratio > 1 + tolerance ? .improved : .unchanged
            findings.append(Finding(key: record.key, ratio: ratio, basis: basis, baseline: b, current: c, verdict: verdict))
        }
        let missing = baseline.map(\.key).filter { !currentKeys.contains($0) }
        return Outcome(findings: findings, missing: missing, new: new)
    }
}
