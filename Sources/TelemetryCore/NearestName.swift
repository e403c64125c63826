/// The known name closest to a mistyped one, for "did you mean …?" hints (configuration keys,
/// subcommands, column names).
///
/// Distance is the optimal-string-alignment edit distance (insertions, deletions,
/// substitutions and transpositions of neighbours, each counting 1) over Unicode scalars,
/// compared case-insensitively for ASCII. A candidate is suggested only when it is close
/// enough to be a plausible typo: at most 1 edit for names of up to 4 characters, 2 up to 8,
/// 3 beyond; on a tie, the candidate listed first wins.
///
/// Threading: stateless.
public enum NearestName {
    /// The closest plausible candidate, or `nil` when none is close enough (or `name` is one).
    public static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let typed = Array(name.lowercased().unicodeScalars)
        guard !typed.isEmpty else { return nil }
        let allowed = typed.count <= 4 ? 1 : (typed.count <= 8 ? 2 : 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let d = distance(typed, Array(candidate.lowercased().unicodeScalars))
            if d == 0 { return nil }
            if d <= allowed, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.name
    }

    /// Optimal-string-alignment distance between two scalar sequences.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        // Three rows of the dynamic-programming table: two back (for transpositions), one back, current.
        var twoBack = [Int](repeating: 0, count: width)
        var oneBack = Array(0...b.count)
        var current = [Int](repeating: 0, count: width)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = Swift.min(oneBack[j] + 1, current[j - 1] + 1, oneBack[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d = Swift.min(d, twoBack[j - 2] + 1)
                }
                current[j] = d
            }
            (twoBack, oneBack, current) = (oneBack, current, twoBack)
        }
        return oneBack[b.count]
    }
}
