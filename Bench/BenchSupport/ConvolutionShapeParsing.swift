import ConvKit

extension ConvolutionShape {
    /// Parses the one-line form of ``description``, for example
    /// `n2 h15 w15 c32 o64 k3x3 s1x1 d1x1 valid g1 nhwc` (padding: `valid`, `same` or
    /// `explicit(top,bottom,left,right)`), so a failing test's problem can be rerun by
    /// `convbench conv --problem`.
    /// - Throws: ``ConvKitError/invalidArgument(name:message:)`` naming the token that is wrong.
    public init(parsing text: String) throws {
        var values: [String: [Int]] = [:]
        var padding = Padding.valid
        var layout = TensorLayout.nhwc
        for token in text.split(separator: " ").map(String.init) {
            if token == "valid" { padding = .valid; continue }
            if token == "same" { padding = .same; continue }
            if let l = TensorLayout(rawValue: token) { layout = l; continue }
            if token.hasPrefix("explicit(") && token.hasSuffix(")") {
                let inner = token.dropFirst("explicit(".count).dropLast()
                let parts = inner.split(separator: ",").compactMap { Int($0) }
                guard parts.count == 4 else {
                    throw ConvKitError.invalidArgument(name: "problem", message: "'\(token)' needs 4 integers: explicit(top,bottom,left,right)")
                }
                padding = .explicit(top: parts[0], bottom: parts[1], left: parts[2], right: parts[3])
                continue
            }
            guard let key = token.first, "nhwcoksdg".contains(key) else {
                throw ConvKitError.invalidArgument(name: "problem", message: "unknown token '\(token)' in '\(text)'")
            }
            let numbers = token.dropFirst().split(separator: "x").map { Int($0) }
            guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else {
                throw ConvKitError.invalidArgument(name: "problem", message: "'\(token)' is not a letter followed by integers")
            }
            values[String(key)] = numbers.map { $0! }
        }
        func one(_ key: String) throws -> Int {
            guard let v = values[key]?.first else {
                throw ConvKitError.invalidArgument(name: "problem", message: "'\(text)' lacks the '\(key)' token")
            }
            return v
        }
        func pair(_ key: String, default value: Int) -> (Int, Int) {
            guard let v = values[key] else { return (value, value) }
            return (v[0], v.count > 1 ? v[1] : v[0])
        }
        let (kh, kw) = pair("k", default: 1), (sy, sx) = pair("s", default: 1), (dy, dx) = pair("d", default: 1)
        let descriptor = try ConvolutionDescriptor(
            kernelHeight: kh, kernelWidth: kw, strideY: sy, strideX: sx,
            dilationY: dy, dilationX: dx, padding: padding,
            groups: values["g"]?.first ?? 1)
        try self.init(
            batch: one("n"), inputHeight: one("h"), inputWidth: one("w"), inputChannels: one("c"),
            outputChannels: one("o"), descriptor: descriptor, layout: layout)
    }
}
