import SystemPackage
package import TelemetryCore
package import TelemetryStorage

#if canImport(Glibc)
import Glibc
#endif

/// Feeds capture files (`mosquitto_sub -v -F '%U %t %p'` output, or `'%U %t %x'` with
/// `payloadEncoding` `.hex`) through a producer as fast as it can. The capture line's
/// timestamp is the message's arrival time.
///
/// Files are read in large blocks and split into lines in place; no per-line allocation (a
/// hex payload is decoded into a scratch buffer that only grows). A line not in capture
/// format, or whose hex payload is not hex, is dead-lettered as `bad_capture_line` and
/// counted in ``badLines``; an empty line is skipped. A trailing `\r` (a capture edited on
/// Windows) is removed.
///
/// Threading: used by one thread, which must own `producer`; not `Sendable`.
package final class CaptureReplayer {
    package let producer: IngestProducer
    package let blockSize: Int
    /// How the captures' payloads are written (one encoding for every file replayed).
    package let payloadEncoding: CapturePayloadEncoding
    /// The files replayed so far that had bad lines, in order.
    package private(set) var badLines: [BadCaptureLines] = []
    /// Arrival time of the last good line (used as the receipt time of a bad one).
    private var lastArrivalMs: Int64?
    /// Hex payloads decoded (grown to the longest payload seen, then reused).
    private var decoded: [UInt8] = []
    /// The file being replayed: its line number and bad lines so far.
    private var lineNumber = 0
    private var badCount = 0
    private var firstBadLine = 0

    package init(producer: IngestProducer, blockSize: Int = 4 << 20, payloadEncoding: CapturePayloadEncoding = .raw) {
        self.producer = producer
        self.blockSize = blockSize
        self.payloadEncoding = payloadEncoding
    }

    /// Replays one file; returns the number of lines handled.
    @discardableResult
    package func replay(path: String) throws(StorageError) -> Int {
        let file = try StorageError.attempt("open", path: path) {
            try FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec)
        }
        defer { try? file.close() }
        lineNumber = 0
        badCount = 0
        defer {
            if badCount > 0 {
                badLines.append(BadCaptureLines(path: path, encoding: payloadEncoding, count: badCount, firstLine: firstBadLine))
            }
        }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        var carried = 0  // bytes of an unfinished line at the start of buffer
        var lines = 0
        while true {
            if carried == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let n = try StorageError.attempt("read", path: path) {
                try buffer.withUnsafeMutableBytes { try file.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[carried...])) }
            }
            let filled = carried + n
            let consumed = buffer.withUnsafeBytes { all -> Int in
                let bytes = UnsafeRawBufferPointer(rebasing: all[0..<filled])
                var start = 0
                let base = all.baseAddress!
                while start < filled, let nl = memchr(base + start, 0x0A, filled - start) {
                    let i = base.distance(to: UnsafeRawPointer(nl))
                    handle(UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
                    lines += 1
                    start = i + 1
                }
                if n == 0, start < filled {  // last line without a newline
                    handle(UnsafeRawBufferPointer(rebasing: bytes[start..<filled]))
                    lines += 1
                    start = filled
                }
                return start
            }
            if n == 0 { break }
            carried = filled - consumed
            if carried > 0, consumed > 0 {
                buffer.withUnsafeMutableBytes { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + consumed, carried)
                }
            }
        }
        return lines
    }

    private func handle(_ rawLine: UnsafeRawBufferPointer) {
        lineNumber += 1
        var line = rawLine
        if let last = line.last, last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        guard !line.isEmpty else { return }
        guard let parts = CaptureLine.parse(line) else { return reject(line) }
        let topic = UnsafeRawBufferPointer(rebasing: line[parts.topic])
        let text = UnsafeRawBufferPointer(rebasing: line[parts.payload])
        switch payloadEncoding {
        case .raw:
            lastArrivalMs = parts.timeMs
            producer.ingest(topic: topic, payload: text, arrivalMs: parts.timeMs)
        case .hex:
            let needed = CapturePayloadEncoding.maxDecodedCount(.hex, textCount: text.count)
            if decoded.count < needed { decoded = [UInt8](repeating: 0, count: max(needed, 2 * decoded.count)) }
            let ingested = decoded.withUnsafeMutableBytes { out -> Bool in
                guard let n = CapturePayloadEncoding.decodeHex(text, into: out) else { return false }
                lastArrivalMs = parts.timeMs
                producer.ingest(topic: topic, payload: UnsafeRawBufferPointer(rebasing: out[0..<n]), arrivalMs: parts.timeMs)
                return true
            }
            if !ingested { reject(line) }
        }
    }

    /// Dead-letters `line` as `bad_capture_line` and counts it.
    private func reject(_ line: UnsafeRawBufferPointer) {
        badCount += 1
        if badCount == 1 { firstBadLine = lineNumber }
        let received = lastArrivalMs ?? Int64(time(nil)) * 1_000
        producer.reject(.badCaptureLine, topic: UnsafeRawBufferPointer(start: nil, count: 0), payload: line,
                        arrivalMs: received)
    }
}
