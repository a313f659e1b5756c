/// A numeric axis: a value range, its tick values and the mapping to pixels.
struct ChartAxis {
    let low: Double, high: Double
    let ticks: [Double]
    let logarithmic: Bool

    /// A linear axis covering `values` (and zero when `includeZero`), with 4-6 round ticks.
    static func linear(covering values: [Double], includeZero: Bool, range: ClosedRange<Double>? = nil) -> ChartAxis {
        var lo = range?.lowerBound ?? (values.min() ?? 0)
        var hi = range?.upperBound ?? (values.max() ?? 1)
        if includeZero && range == nil { lo = min(lo, 0); hi = max(hi, 0) }
        if !(hi - lo > 1e-12) { hi = lo + 1 }
        let rough = (hi - lo) / 5
        let magnitude = pow10(floor(log10(rough)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= rough } ?? 10 * magnitude
        if range == nil {
            lo = (lo / step).rounded(.down) * step
            hi = (hi / step).rounded(.up) * step
        }
        var ticks: [Double] = []
        var i = (lo / step - 1e-9).rounded(.up)
        while i * step <= hi + step * 1e-9 { ticks.append(i * step); i += 1 }
        return ChartAxis(low: lo, high: hi, ticks: ticks, logarithmic: false)
    }

    /// A base-2 logarithmic axis over positive `values`, ticked at each distinct value.
    static func log2(covering values: [Double]) -> ChartAxis {
        let positive = values.filter { $0 > 0 }
        let lo = positive.min() ?? 1, hi = positive.max() ?? 2
        let ticks = Array(Set(positive)).sorted()
        return ChartAxis(low: lo, high: hi > lo ? hi : lo * 2, ticks: ticks, logarithmic: true)
    }

    /// The fraction 0...1 of the way from `low` to `high` at `value`.
    func fraction(_ value: Double) -> Double {
        if logarithmic { return (log(value) - log(low)) / (log(high) - log(low)) }
        return (value - low) / (high - low)
    }

    static func label(_ v: Double) -> String {
        if abs(v - v.rounded()) < 1e-9 * max(1, abs(v)) && abs(v) < 1e15 { return String(Int(v.rounded())) }
        let r = (v * 1000).rounded() / 1000
        return String(r)
    }

    private static func pow10(_ e: Double) -> Double { pow(10.0, e) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
