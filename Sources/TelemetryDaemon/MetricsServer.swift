import FlyingFox
import FlyingSocks
import Foundation
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc  // sockaddr_in, sockaddr_in6
#endif

/// `GET /metrics` over HTTP/1.1 on `metrics.listen`, as a service of the live `ServiceGroup`:
/// the edge where telemetryd meets Prometheus. Every other path is 404. There is no
/// authentication and no TLS — the endpoint belongs on loopback or behind a proxy.
///
/// Built on FlyingFox (poll/epoll sockets and Swift concurrency, no SwiftNIO), chosen for
/// the build time it adds (README, "Monitoring"). Each scrape builds the exposition text by
/// calling `exposition()` (which reads the pipeline's counters); nothing is cached.
///
/// Failing to listen (address in use, not an address of this host) ends the service with the
/// error, which stops the daemon — a monitoring endpoint that silently is not there would be
/// worse. On graceful shutdown the listening socket is closed and open scrapes finish.
///
/// Threading: `Sendable`; `run()` is one task of the group; FlyingFox serves each connection
/// in a task of its own, so `exposition` is called from any task (it is `Sendable`).
final class MetricsServer: Service, Sendable {
    let address: MetricsListenAddress
    private let exposition: @Sendable () -> [UInt8]
    private let onListening: @Sendable () -> Void
    /// Set when graceful shutdown closed the socket: the error `run()` then ends with is none.
    private let stopping = Atomic<Bool>(false)

    /// `onListening` is called once the socket listens (for the log line).
    init(address: MetricsListenAddress, exposition: @escaping @Sendable () -> [UInt8], onListening: @escaping @Sendable () -> Void = {}) {
        self.address = address
        self.exposition = exposition
        self.onListening = onListening
    }

    /// Why the endpoint could not be served.
    struct Failure: Error, CustomStringConvertible {
        let address: MetricsListenAddress
        let reason: String
        var description: String { "cannot serve metrics on \(address) (metrics.listen): \(reason)" }
    }

    func run() async throws {
        let server: HTTPServer
        do {
            server = address.isIPv6
                ? HTTPServer(address: try sockaddr_in6.inet6(ip6: address.host, port: address.port), timeout: 15, logger: DisabledLogger.disabled)
                : HTTPServer(address: try sockaddr_in.inet(ip4: address.host, port: address.port), timeout: 15, logger: DisabledLogger.disabled)
        } catch {
            throw Failure(address: address, reason: "\(error)")
        }
        let exposition = self.exposition
        await server.appendRoute("GET /metrics") { (_: HTTPRequest) async throws -> HTTPResponse in
            HTTPResponse(
                statusCode: .ok, headers: [.contentType: DaemonMetrics.contentType], body: Data(exposition()))
        }
        let listening = Task { [onListening] in
            try await server.waitUntilListening(timeout: 30)
            onListening()
        }
        defer { listening.cancel() }
        do {
            try await withGracefulShutdownHandler {
                try await server.run()
            } onGracefulShutdown: {
                self.stopping.store(true, ordering: .relaxed)
                // Prometheus keeps its connection open between scrapes: do not wait for it.
                Task { await server.stop(timeout: 0.2) }
            }
        } catch {
            if stopping.load(ordering: .relaxed) || error is CancellationError { return }
            throw Failure(address: address, reason: Self.describe(error))
        }
    }

    /// A socket error in words (`bind: Address already in use`).
    private static func describe(_ error: any Error) -> String {
        if let socket = error as? SocketError, case .failed(let type, _, let message) = socket { return "\(type): \(message)" }
        return "\(error)"
    }
}
