/// An entry in the data directory that telemetryd leaves alone because it is neither a
/// regular file nor a directory it could have made: a symbolic link (followed, it could make
/// the daemon truncate or append to any file it may write — planted or not, it is not
/// telemetryd's) or a FIFO, socket or device. The start-up repair reports each one so the
/// daemon can log it; nothing is ever written through one.
///
/// Threading: a value type.
package struct SkippedEntry: Sendable, Equatable, CustomStringConvertible {
    /// What the entry is.
    package enum Kind: Sendable, Equatable {
        /// A symbolic link, with the target written in it.
        case symbolicLink(target: String)
        /// A FIFO, socket or device.
        case special
    }

    package let path: String
    package let kind: Kind

    package init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    package var description: String {
        switch kind {
        case .symbolicLink(let target):
            "left \(path) alone: it is a symbolic link (to \(target)), and telemetryd follows none in its data directory"
        case .special:
            "left \(path) alone: it is not a regular file"
        }
    }
}
