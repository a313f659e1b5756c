/// Errors thrown by ConvKit for invalid input. Every case names what was wrong and what was expected.
public enum ConvKitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An argument of a call is out of range (a negative size, a too-small leading dimension,
    /// a buffer shorter than the shape needs, a missing pointer).
    case invalidArgument(name: String, message: String)
    /// An environment variable ConvKit reads has a value it does not understand.
    case invalidEnvironment(variable: String, value: String, expected: String)
    /// An instruction set was requested that this CPU (or this build) cannot run.
    case unsupportedISA(requested: ISA, available: [ISA])

    public var description: String {
        switch self {
        case let .invalidArgument(name, message):
            return "invalid argument '\(name)': \(message)"
        case let .invalidEnvironment(variable, value, expected):
            return "invalid value '\(value)' for environment variable \(variable): expected \(expected)"
        case let .unsupportedISA(requested, available):
            return "instruction set '\(requested.rawValue)' is not supported on this machine; available: "
                + available.map(\.rawValue).joined(separator: ", ")
        }
    }
}

extension ConvKitError {
    /// Throws ``invalidArgument(name:message:)`` for the first `(name, value)` below 1.
    static func requireAtLeastOne(_ values: KeyValuePairs<String, Int>) throws {
        for (name, value) in values where value < 1 {
            throw ConvKitError.invalidArgument(name: name, message: "must be at least 1, got \(value)")
        }
    }

    /// Throws ``invalidArgument(name:message:)`` naming `padding` when an explicit side is negative.
    static func requireNonNegative(_ padding: Padding) throws {
        if case let .explicit(top, bottom, left, right) = padding, min(top, bottom, left, right) < 0 {
            throw ConvKitError.invalidArgument(name: "padding", message: "explicit padding must be >= 0 on every side, got \(padding)")
        }
    }
}

extension ConvKitError {
    /// The largest size, window, stride, dilation or padding a shape accepts per axis (Int32.max):
    /// sums of a few such values then never overflow `Int`, and products are checked separately.
    public static let maximumExtent = Int(Int32.max)

    /// Throws ``invalidArgument(name:message:)`` for the first `(name, value)` above
    /// ``maximumExtent``.
    static func requireAtMostMaximumExtent(_ values: KeyValuePairs<String, Int>) throws {
        for (name, value) in values where value > maximumExtent {
            throw ConvKitError.invalidArgument(name: name, message: "must be at most \(maximumExtent), got \(value)")
        }
    }

    /// Throws ``invalidArgument(name:message:)`` naming `padding` when an explicit side is above
    /// ``maximumExtent``.
    static func requireAtMostMaximumExtent(_ padding: Padding) throws {
        if case let .explicit(top, bottom, left, right) = padding, max(top, bottom, left, right) > maximumExtent {
            throw ConvKitError.invalidArgument(name: "padding", message: "explicit padding must be at most \(maximumExtent) on every side, got \(padding)")
        }
    }

    /// `dilation * (kernel - 1) + 1`, or `Int.max` when that overflows.
    static func saturatingSpan(_ kernel: Int, _ dilation: Int) -> Int {
        let (p, overflow) = dilation.multipliedReportingOverflow(by: kernel - 1)
        return overflow || p == Int.max ? Int.max : p + 1
    }

    /// The product of `factors`, or ``invalidArgument(name:message:)`` naming `name` when it does
    /// not fit in `Int` (say `what` the product counts).
    static func checkedProduct(_ name: String, _ what: String, _ factors: [Int]) throws -> Int {
        var product = 1
        for f in factors {
            let (p, overflow) = product.multipliedReportingOverflow(by: f)
            guard !overflow else {
                throw ConvKitError.invalidArgument(
                    name: name, message: "\(factors.map(String.init).joined(separator: " x ")) \(what) overflow a 64-bit count")
            }
            product = p
        }
        return product
    }

    /// Throws ``invalidArgument(name:message:)`` naming `output` when its memory overlaps `a`, `b`
    /// or `c` (an output written while an input is still being read gives garbage). Fixed
    /// parameters rather than an array, so the check allocates nothing on a kernel's call path.
    static func requireDisjoint(
        _ output: (name: String, buffer: UnsafeRawBufferPointer), from a: (name: String, buffer: UnsafeRawBufferPointer),
        _ b: (name: String, buffer: UnsafeRawBufferPointer)? = nil, _ c: (name: String, buffer: UnsafeRawBufferPointer)? = nil
    ) throws {
        guard let o = output.buffer.baseAddress, output.buffer.count > 0 else { return }
        func check(_ input: (name: String, buffer: UnsafeRawBufferPointer)?) throws {
            guard let input, let i = input.buffer.baseAddress, input.buffer.count > 0 else { return }
            if o < i + input.buffer.count && i < o + output.buffer.count {
                throw ConvKitError.invalidArgument(
                    name: output.name, message: "overlaps '\(input.name)' in memory; the output must be a separate buffer")
            }
        }
        try check(a)
        try check(b)
        try check(c)
    }
}
