import Foundation
import Testing
import TelemetryCore
@testable import TelemetryStorage

@Suite struct ContentDigestTests {
    /// Published XXH64 values (the reference implementation's tests, and LLVM's and python-xxhash's copies).
    @Test(arguments: [
        ("", 0, 0xEF46_DB37_51D8_E999),
        ("a", 0, 0xD24E_C4F1_A98C_6E5B),
        ("a", 1, 16_051_599_287_423_682_246),
        ("abc", 0, 0x44BC_2CF5_AD77_0999),
        ("foo", 0, 0x33BF_00A8_59C4_BA3F),
        ("xxhash", 0, 0x32DD_3895_2C4B_C720),
        ("0123456789abcdefghijklmnopqrstuvwxyz", 0, 0x6919_6C1B_3AF0_BFF9),
    ] as [(String, UInt64, UInt64)])
    func xxh64MatchesTheReferenceValues(text: String, seed: UInt64, expected: UInt64) {
        #expect(XXH64.hash(Array(text.utf8), seed: seed) == expected)
    }

    @Test func feedingInPiecesGivesTheSameHashAsFeedingAtOnce() {
        let bytes = (0..<1_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        for piece in [1, 3, 7, 31, 32, 33, 100] {
            var h = XXH64(seed: 5)
            var i = 0
            while i < bytes.count {
                let end = min(i + piece, bytes.count)
                bytes[i..<end].withUnsafeBytes { h.update($0) }
                i = end
            }
            #expect(h.digest() == XXH64.hash(bytes, seed: 5), "pieces of \(piece)")
        }
    }

    @Test func aFileHasTheDigestOfItsBytesAndTheirLength() throws {
        let path = NSTemporaryDirectory() + "telemetryd-digest-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let file = try ContentDigest.ofFile(path)
        #expect(file.digest == ContentDigest(of: bytes))
        #expect(file.bytes == 3_000_000)
        #expect(ContentDigest(hex: file.digest.description) == file.digest)
        #expect(file.digest != ContentDigest(of: bytes.dropLast()))
    }

    @Test func theLedgerReadsBackWhatItRecordedAndIgnoresATornLine() throws {
        let root = NSTemporaryDirectory() + "telemetryd-ledger-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let ledger = ReplayLedger(directory: DataDirectory(root))
        #expect(try ledger.entries().isEmpty)
        let entry = ReplayLedger.Entry(
            digest: ContentDigest(of: Array("x".utf8)), bytes: 1, replayedMs: 1_795_500_000_000, path: "/tmp/a \"b\".capture")
        try ledger.record([entry])
        let handle = try #require(FileHandle(forWritingAtPath: ledger.path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"digest\":\"00".utf8))
        handle.closeFile()
        #expect(try ledger.entries() == [entry])
        #expect(try ledger.lastReplay(of: entry.digest, bytes: 1) == entry)
        #expect(try ledger.lastReplay(of: entry.digest, bytes: 2) == nil)
    }
}
