package import TelemetryCore

/// Which devices `telemetryctl devices` shows: exact matches on site and device (each an
/// allowed set, empty meaning any — the rule of ``RollupFilter``), devices quiet for at least
/// a while, and devices with a problem.
///
/// Quiet is measured against a reference time passed in (the listing's "as of": by default
/// the newest last arrival in the file, see ``DeviceListing``): a device is quiet for `d` when
/// its last arrival is more than `d` before it, or it has never been heard from.
///
/// A device has a problem (``hasProblem(_:)``) when any of its readings were too late or late
/// for a window size, it has dead letters, gaps or restarts, or its clock is more than
/// ``offsetProblemMs`` (one minute) off. Duplicates alone are not a problem: a broker
/// redelivering after a reconnect makes them, and they are dropped exactly.
///
/// Threading: a value type with no shared state; safe to share.
package struct DeviceFilter: Sendable, Hashable {
    package var sites: Set<String>
    package var devices: Set<String>
    /// Only devices whose last arrival is more than this long before the reference time.
    package var quietForMs: Int64?
    /// Only devices with a problem.
    package var problemsOnly: Bool

    /// A clock offset beyond this (either way) is a problem.
    package static let offsetProblemMs = 60_000.0

    package init(sites: Set<String> = [], devices: Set<String> = [], quietForMs: Int64? = nil, problemsOnly: Bool = false) {
        self.sites = sites
        self.devices = devices
        self.quietForMs = quietForMs
        self.problemsOnly = problemsOnly
    }

    /// Whether `d` passes every filter, quiet measured against `asOfMs`.
    package func matches(_ d: DeviceHealth, asOfMs: Int64) -> Bool {
        guard sites.isEmpty || sites.contains(d.site), devices.isEmpty || devices.contains(d.device) else { return false }
        if let quietForMs, !Self.isQuiet(d, forMs: quietForMs, asOfMs: asOfMs) { return false }
        return !problemsOnly || Self.hasProblem(d)
    }

    /// Whether `d` was last heard from more than `forMs` before `asOfMs` (or never).
    package static func isQuiet(_ d: DeviceHealth, forMs: Int64, asOfMs: Int64) -> Bool {
        d.lastArrivalMs == DeviceHealth.never || asOfMs.subtractingReportingOverflow(d.lastArrivalMs).partialValue > forMs
    }

    /// Whether `d` has a problem (see the type's rule).
    package static func hasProblem(_ d: DeviceHealth) -> Bool {
        d.tooLate > 0 || d.late > 0 || d.deadLetters > 0 || d.gaps > 0 || d.restarts > 0
            || abs(d.clockOffsetMs) > offsetProblemMs
    }

    /// A short description of the active filters for messages, e.g. `site hanoi, quiet for
    /// 10m, with problems`; sanitised for the terminal.
    package var summary: String {
        var parts = [RollupFilter.summaryPart("site", sites), RollupFilter.summaryPart("device", devices)].compactMap { $0 }
        if let quietForMs { parts.append("quiet for more than " + DeviceHealthFormatter.duration(ms: quietForMs)) }
        if problemsOnly { parts.append("with problems") }
        return parts.joined(separator: ", ")
    }
}
