import SystemPackage

/// A file's identity by content: 128 bits, two XXH64 streams over the same bytes with
/// different seeds (0 and 2⁶⁴/φ), written as 32 lowercase hex digits. The replay ledger
/// keys captures by it, so a renamed copy is recognised and an edited file is not.
///
/// Why this is collision-safe enough: the question is only whether two *different* captures
/// given by accident could share a digest. XXH64 disperses like a random function (SMHasher),
/// and the two seeds start its four lanes from unrelated states, so an accidental collision
/// needs about 2⁶⁴ captures in one data directory even if the streams were fully correlated,
/// and ~2¹²⁸ if they are not; the length is compared too. It is no defence against a capture
/// crafted to collide — whoever crafts one can also pass `--force` — which is why no
/// cryptographic hash (which would need a package) is needed. Hashing runs at several GB/s,
/// well ahead of a replay.
///
/// Threading: a value type.
package struct ContentDigest: Sendable, Hashable, CustomStringConvertible {
    /// The first stream (seed 0) and the second (seed ``secondSeed``).
    package let first: UInt64, second: UInt64
    static let secondSeed: UInt64 = 0x9E37_79B9_7F4A_7C15

    package init(first: UInt64, second: UInt64) {
        self.first = first
        self.second = second
    }

    /// The digest of `bytes`.
    package init(of bytes: some Collection<UInt8>) {
        self.init(first: XXH64.hash(bytes), second: XXH64.hash(bytes, seed: Self.secondSeed))
    }

    /// Parses 32 hex digits (as ``description`` writes them).
    package init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 32, let first = UInt64(String(hex.prefix(16)), radix: 16),
              let second = UInt64(String(hex.suffix(16)), radix: 16)
        else { return nil }
        self.init(first: first, second: second)
    }

    package var description: String { Self.hex16(first) + Self.hex16(second) }

    private static func hex16(_ v: UInt64) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The digest and length of the file at `path`, read in 1 MiB blocks.
    package static func ofFile(_ path: String) throws(StorageError) -> (digest: ContentDigest, bytes: Int64) {
        let fd = try StorageError.attempt("open", path: path) {
            try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec])
        }
        defer { try? fd.close() }
        var a = XXH64(), b = XXH64(seed: secondSeed)
        var length: Int64 = 0
        var block = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try StorageError.attempt("read", path: path) {
                try block.withUnsafeMutableBytes { try fd.read(into: $0, retryOnInterrupt: true) }
            }
            if n == 0 { break }
            block.withUnsafeBytes { all in
                let chunk = UnsafeRawBufferPointer(rebasing: all[..<n])
                a.update(chunk)
                b.update(chunk)
            }
            length += Int64(n)
        }
        return (ContentDigest(first: a.digest(), second: b.digest()), length)
    }
}
