import Foundation
import Testing
import TelemetryDaemon

#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket bound in a temporary directory, standing in for systemd's.
///
/// A thread of its own drains the socket from the start, as systemd does: a Unix datagram
/// socket queues only `net.unix.max_dgram_qlen` datagrams (10 by default), so a test that
/// read nothing for a while (a slow, loaded machine stretching its waits) would otherwise
/// see the daemon's later notifications — `STOPPING=1` after a few `STATUS=` — dropped.
/// ``draining`` false leaves the queue to fill (for the test that a full socket drops).
final class NotifySocket: Sendable {
    let path: String
    let fd: Int32
    private let inbox = Inbox()
    private let drains: Bool

    /// Datagrams received and not yet taken, and whether the socket is being closed.
    private final class Inbox: @unchecked Sendable {
        let condition = NSCondition()
        var messages: [String] = []
        var closing = false
    }

    init(draining: Bool = true) {
        drains = draining
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
        var timeout = timeval(tv_sec: draining ? 1 : 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard draining else { return }
        let socketFD = self.fd, box = self.inbox
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(socketFD, $0.baseAddress, $0.count, 0) }
                box.condition.lock()
                if box.closing {
                    box.condition.unlock()
                    close(socketFD)  // closed here, by the only thread still using it
                    return
                }
                if n > 0 {
                    box.messages.append(String(decoding: buffer[0..<n], as: UTF8.self))
                    box.condition.broadcast()
                }
                box.condition.unlock()
            }
        }
    }

    deinit {
        if drains {
            inbox.condition.lock()
            inbox.closing = true
            inbox.condition.unlock()
            shutdown(fd, Int32(SHUT_RDWR))  // wakes the reader's recv; it closes the socket
        } else {
            close(fd)
        }
        unlink(path)
    }

    /// The next datagram, or nil after 5 s without one.
    func receive() -> String? {
        guard drains else {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            return n < 0 ? nil : String(decoding: buffer[0..<n], as: UTF8.self)
        }
        let deadline = Date(timeIntervalSinceNow: 5)
        inbox.condition.lock()
        defer { inbox.condition.unlock() }
        while inbox.messages.isEmpty {
            guard inbox.condition.wait(until: deadline) else { return nil }
        }
        return inbox.messages.removeFirst()
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
        let socket = NotifySocket(draining: false)
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
