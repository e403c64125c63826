import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Speaks systemd's `sd_notify` protocol without libsystemd: datagrams such as `READY=1`,
/// `STATUS=…`, `WATCHDOG=1`, `STOPPING=1` sent to the socket named by `$NOTIFY_SOCKET`
/// (a filesystem path, or an abstract socket when it starts with `@`).
///
/// Without `$NOTIFY_SOCKET` (not started by systemd with `Type=notify`) every call is a
/// no-op. A notification that cannot be sent at once is dropped and counted in `dropped`:
/// the socket is non-blocking and every send is `MSG_DONTWAIT`, so a full queue (a systemd
/// that does not read, a stale socket) can never block the status or watchdog thread, nor
/// the shutdown that waits for them. systemd's absence must never stop the daemon.
/// Threading: `Sendable`; the socket is created once, `sendto` is thread-safe and `dropped`
/// is atomic.
package final class SystemdNotifier: Sendable {
    /// The socket path (with `@` for abstract), or nil when not under systemd.
    package let socketPath: String?
    private let fd: Int32
    private let droppedCount = Atomic<Int>(0)
    /// Half of `$WATCHDOG_USEC`, the interval at which `WATCHDOG=1` should be sent; nil when
    /// the watchdog is off.
    package let watchdogInterval: Duration?

    package init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        fd = socketPath == nil ? -1 : socket(
            AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
           environment["WATCHDOG_PID"].map({ $0 == String(getpid()) }) ?? true {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Notifications not delivered (queue full, socket gone, address too long) since start.
    package var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Sends one notification (several `KEY=value` lines may be joined with `\n`); returns at
    /// once, dropping it when it cannot be sent.
    package func notify(_ state: String) {
        guard let path = socketPath else { return }
        guard fd >= 0 else { return countDropped() }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return countDropped() }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                message.withUnsafeBytes {
                    sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), sa, length)
                }
            }
        }
        if sent < 0 { countDropped() }
    }

    private func countDropped() { droppedCount.add(1, ordering: .relaxed) }

    package func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    package func status(_ text: String) { notify("STATUS=\(text)") }
    package func watchdog() { notify("WATCHDOG=1") }
    package func stopping() { notify("STOPPING=1") }
    package func reloading() { notify("RELOADING=1") }
}
