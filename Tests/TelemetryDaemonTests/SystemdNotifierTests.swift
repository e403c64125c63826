import Foundation
import Testing
import TelemetryDaemon

#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket bound in a temporary directory, standing in for systemd's.
final class NotifySocket: Sendable {
    let path: String
    let fd: Int32

    init() {
        path = NSTemporaryDirectory() + "notify-\(UUID().uuidString.prefix(8)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() { raw[i] = b }
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next datagram, or nil after the 5 s timeout.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n < 0 ? nil : String(decoding: buffer[0..<n], as: UTF8.self)
    }
}

@Suite struct SystemdNotifierTests {
    @Test func readyAndStatusArriveOnTheNotifySocket() {
        let socket = NotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        notifier.ready(status: "subscribed to vn/#")
        #expect(socket.receive() == "READY=1\nSTATUS=subscribed to vn/#")
        notifier.watchdog()
        #expect(socket.receive() == "WATCHDOG=1")
        notifier.stopping()
        #expect(socket.receive() == "STOPPING=1")
    }

    /// Nobody reads the socket, so its queue fills: a notification must then be dropped (and
    /// counted), never block the status or watchdog thread — or a SIGTERM would never finish.
    @Test func aFullNotifySocketDropsNotificationsInsteadOfBlocking() {
        let socket = NotifySocket()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.path])
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            for _ in 0..<5_000 { notifier.status("12 msg/s, 1000 messages") }
            finished.signal()
        }
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(notifier.dropped > 0)
    }

    @Test func withoutNotifySocketNothingIsSentAndNothingFails() {
        let notifier = SystemdNotifier(environment: [:])
        #expect(notifier.socketPath == nil)
        notifier.ready(status: "x")
    }

    @Test func theWatchdogIntervalIsHalfOfWatchdogUsec() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "10000000"])
        #expect(notifier.watchdogInterval == .seconds(5))
        #expect(SystemdNotifier(environment: [:]).watchdogInterval == nil)
    }
}
