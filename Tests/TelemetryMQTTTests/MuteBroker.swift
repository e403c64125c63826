import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP port on 127.0.0.1 that plays a broker which stops talking: with `.neverConnack` the
/// connection is accepted (by the kernel) but never answered, so an attempt waits for a CONNACK;
/// with `.connackThenSilence` it accepts the MQTT 3.1.1 connection and then reads and ignores
/// everything (closing after the client's DISCONNECT), so published QoS ≥ 1 messages stay in
/// flight. Closed by `close()`.
final class MuteBroker: Sendable {
    enum Behaviour: Sendable {
        case neverConnack
        case connackThenSilence
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let port: Int
    private let listening: Int32
    private let connections = Mutex<[Int32]>([])
    private let done = DispatchSemaphore(value: 0)
    private let behaviour: Behaviour

    init(_ behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard ok else {
            Glibc.close(fd)
            throw Failure(description: "bind/listen/getsockname failed")
        }
        listening = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        // Own threads, not Dispatch's: on Linux Swift's tasks run on Dispatch's worker threads,
        // and blocking them in accept/read would stall the tests for a second at a time.
        if behaviour == .connackThenSilence {
            Thread { [self] in serve() }.start()
        } else {
            done.signal()
        }
    }

    /// Accepts connections until closed; answers each one's first packet (CONNECT) with a
    /// CONNACK and then only reads.
    private func serve() {
        defer { done.signal() }
        while true {
            let connection = accept(listening, nil, nil)
            guard connection >= 0 else { return }
            connections.withLock { $0.append(connection) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            guard read(connection, &buffer, buffer.count) > 0 else { continue }
            let connack: [UInt8] = [0x20, 0x02, 0x00, 0x00]
            _ = write(connection, connack, connack.count)
            Thread {
                // Ignore everything; close after the client's DISCONNECT (E0 00), as a broker does.
                var sink = [UInt8](repeating: 0, count: 4096)
                while case let count = read(connection, &sink, sink.count), count > 0 {
                    if count >= 2 && sink[count - 2] == 0xE0 && sink[count - 1] == 0 { break }
                }
                // Closed under the lock, so that close() never shuts down a reused descriptor.
                self.connections.withLock { open in
                    open.removeAll { $0 == connection }
                    Glibc.close(connection)
                }
            }.start()
        }
    }

    /// Stops listening and ends every connection (their readers close them).
    func close() {
        shutdown(listening, Int32(SHUT_RDWR))
        done.wait()
        Glibc.close(listening)
        connections.withLock { open in
            for connection in open { shutdown(connection, Int32(SHUT_RDWR)) }
        }
    }
}
