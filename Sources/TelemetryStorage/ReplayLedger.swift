import TelemetryCore

/// `<data_dir>/state/replayed`: the captures replayed into this data directory, by content,
/// so that replaying one again — which would append every rollup a second time — cannot
/// happen by accident.
///
/// On disk, one JSON object per line, appended (and fsynced) after a replay succeeded:
/// `{"digest":"<32 hex digits>","bytes":<length>,"replayed":"<RFC 3339>","path":"<as given>"}`
/// (digest: ``ContentDigest``). Lines that cannot be read (a torn last line from a crash
/// while recording) are ignored; later versions may add fields.
///
/// Threading: a value; each call reads or appends the file afresh. Recording is done by the
/// one process holding the data directory.
package struct ReplayLedger: Sendable {
    /// One replayed capture.
    package struct Entry: Sendable, Equatable {
        package var digest: ContentDigest
        package var bytes: Int64
        /// When the replay finished, epoch ms.
        package var replayedMs: Int64
        /// The capture's path as given to that replay.
        package var path: String

        package init(digest: ContentDigest, bytes: Int64, replayedMs: Int64, path: String) {
            self.digest = digest
            self.bytes = bytes
            self.replayedMs = replayedMs
            self.path = path
        }

        /// The ledger line (with its `\n`).
        package func jsonLine() -> [UInt8] {
            var w = JSONWriter()
            w.beginObject()
            w.key("digest"); w.string(digest.description)
            w.key("bytes"); w.integer(bytes)
            w.key("replayed"); w.string(UTCTimestamp.format(milliseconds: replayedMs))
            w.key("path"); w.string(path)
            w.endObject()
            w.bytes.append(0x0A)
            return w.bytes
        }

        /// An entry read back from one line (without its `\n`); nil when it is not one.
        package init?(jsonLine line: UnsafeRawBufferPointer) {
            var lexer = JSONLexer(bytes: line)
            var digest: ContentDigest?, bytes: Int64?, replayedMs: Int64?, path: String?
            do throws(JSONParseError) {
                try lexer.readObject { key, v throws(JSONParseError) in
                    switch key {
                    case "digest": digest = ContentDigest(hex: try v.readStringValue())
                    case "bytes": bytes = Int64(try v.readNumberText())
                    case "replayed": replayedMs = UTCTimestamp.parse(try v.readStringValue())
                    case "path": path = try v.readStringValue()
                    default: try v.skipAnyValue()
                    }
                }
                try lexer.expectEnd()
            } catch {
                return nil
            }
            guard let digest, let bytes, let replayedMs, let path else { return nil }
            self.init(digest: digest, bytes: bytes, replayedMs: replayedMs, path: path)
        }
    }

    package let directory: DataDirectory
    /// The ledger file.
    package var path: String { directory.replayLedger }

    package init(directory: DataDirectory) {
        self.directory = directory
    }

    /// Every entry, oldest first; empty when nothing was replayed yet.
    package func entries() throws(StorageError) -> [Entry] {
        guard let bytes = try FileSystem.readAll(path) else { return [] }
        return bytes.withUnsafeBytes { all in
            all.split(separator: 0x0A).compactMap { Entry(jsonLine: UnsafeRawBufferPointer(rebasing: $0)) }
        }
    }

    /// The latest replay of a capture with this content, if any.
    package func lastReplay(of digest: ContentDigest, bytes: Int64) throws(StorageError) -> Entry? {
        try entries().last { $0.digest == digest && $0.bytes == bytes }
    }

    /// Appends `entries` durably (creating `state/` when missing).
    package func record(_ entries: [Entry]) throws(StorageError) {
        guard !entries.isEmpty else { return }
        try FileSystem.makeDirectory(directory.state, inside: directory.root)
        let file = try AppendOnlyFile(path: path)
        try file.append(entries.flatMap { $0.jsonLine() })
        try file.sync()
    }
}
