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
