/// A generated section of a Markdown page: the text between a begin and an end marker, which a
/// command rewrites while the prose around it stays.
public struct GeneratedSection: Sendable {
    public let beginMarker: String
    public let endMarker: String

    public init(beginMarker: String, endMarker: String) {
        self.beginMarker = beginMarker
        self.endMarker = endMarker
    }

    /// `existing` with the text from the begin marker to the end marker replaced by `section`
    /// (which carries both markers); `section` is appended when `existing` has no such span.
    public func splice(_ section: String, into existing: String?) -> String {
        guard let existing, !existing.isEmpty else { return section }
        if let begin = existing.range(of: beginMarker), let end = existing.range(of: endMarker, range: begin.upperBound..<existing.endIndex) {
            var after = existing[end.upperBound...]
            if after.hasPrefix("\n") { after = after.dropFirst() }
            return String(existing[..<begin.lowerBound]) + section + after
        }
        return existing + (existing.hasSuffix("\n") ? "\n" : "\n\n") + section
    }
}
