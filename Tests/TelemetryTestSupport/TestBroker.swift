package import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `mosquitto` broker on a free loopback port, configured through a generated file in
/// its own temporary directory. `stop()` (SIGTERM, then wait) is idempotent and also runs on
/// deinit, so failing tests do not leak brokers; `start()` may bring it back on the same port.
package final class TestBroker: @unchecked Sendable {
    package struct TLSListener {
        package init(caFile: String, certificateFile: String, keyFile: String, requireCertificate: Bool = false) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.requireCertificate = requireCertificate
        }
        package var caFile: String
        package var certificateFile: String
        package var keyFile: String
        package var requireCertificate = false
    }

    package struct Options {
        package init(
            persistence: Bool = false, allowAnonymous: Bool = true, users: [String: String] = [:],
            allowedSubscriptions: [String]? = nil, tls: TLSListener? = nil,
            maxQueuedMessages: Int? = nil, maxInflightMessages: Int? = nil
        ) {
            self.persistence = persistence
            self.maxQueuedMessages = maxQueuedMessages
            self.maxInflightMessages = maxInflightMessages
            self.allowAnonymous = allowAnonymous
            self.users = users
            self.allowedSubscriptions = allowedSubscriptions
            self.tls = tls
        }
        package var persistence = false
        package var allowAnonymous = true
        /// user → password; written with `mosquitto_passwd` into the broker's directory.
        package var users: [String: String] = [:]
        /// If set, the dynamic-security plugin lets clients subscribe only to these patterns
        /// (the broker's default ACL cannot refuse a subscription; this gives SUBACK 0x80).
        package var allowedSubscriptions: [String]?
        package var tls: TLSListener?
        /// `max_queued_messages`: QoS ≥ 1 messages the broker keeps per offline or busy client
        /// beyond its in-flight window (nil: mosquitto's default of 1000; 0: no limit).
        package var maxQueuedMessages: Int?
        /// `max_inflight_messages`: QoS ≥ 1 messages sent to a client and not yet acknowledged
        /// (nil: mosquitto's default of 20; 0: no limit).
        package var maxInflightMessages: Int?
    }

    /// Fixed once the broker first started (a start that finds the port taken picks another).
    package private(set) var port: Int
    private var hasStarted = false
    package let directory: URL
    /// May be changed before `start()` (e.g. to point at files made in `directory`).
    package var options: Options
    private let lock = NSLock()
    private var pid: pid_t?

    /// Prepares a broker (does not start it). `port` nil picks a free one.
    package init(_ options: Options = Options(), port: Int? = nil) throws {
        self.options = options
        self.port = try port ?? TestBroker.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mqtt-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts a broker and waits until it accepts TCP connections.
    package static func started(_ options: Options = Options()) async throws -> TestBroker {
        let broker = try TestBroker(options)
        try await broker.start()
        return broker
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    package var configFile: URL { directory.appendingPathComponent("mosquitto.conf") }
    package var logFile: URL { directory.appendingPathComponent("mosquitto.log") }

    /// Starts the broker and waits until it accepts TCP. The first start retries on a new free
    /// port if another process grabbed this one meanwhile (tests run in parallel, and outgoing
    /// connections take ephemeral ports from the same range); restarts keep the port.
    package func start() async throws {
        try await offload { try self.startBlocking() }
    }

    /// Stops the broker without blocking the Swift concurrency pool.
    package func shutDown() async {
        _ = try? await offload { self.stop() }
    }

    private func startBlocking() throws {
        var tries = 0
        while true {
            do {
                try startOnce()
                hasStarted = true
                return
            } catch let failure as TestProcess.Failure
                where !hasStarted && tries < 5
                && failure.description.contains("Address already in use")
            {
                tries += 1
                port = try TestBroker.freePort()
            }
        }
    }

    private func startOnce() throws {
        var lines = ["listener \(port) 127.0.0.1", "allow_anonymous \(options.allowAnonymous)"]
        if geteuid() == 0 { lines.append("user root") }
        if let tls = options.tls {
            lines += [
                "cafile \(tls.caFile)", "certfile \(tls.certificateFile)", "keyfile \(tls.keyFile)",
                "require_certificate \(tls.requireCertificate)",
            ]
        }
        if !options.users.isEmpty {
            let passwordFile = directory.appendingPathComponent("passwd").path
            try? FileManager.default.removeItem(atPath: passwordFile)
            for (user, password) in options.users.sorted(by: { $0.key < $1.key }) {
                let create = FileManager.default.fileExists(atPath: passwordFile) ? [] : ["-c"]
                try TestProcess.runBlocking(
                    "/usr/bin/mosquitto_passwd", ["-b"] + create + [passwordFile, user, password], timeout: .seconds(15)
                )
            }
            lines.append("password_file \(passwordFile)")
        }
        if let allowed = options.allowedSubscriptions {
            let acls = allowed.map { "{\"acltype\": \"subscribePattern\", \"topic\": \"\($0)\", \"allow\": true}" }
            let json = """
                {"clients": [], "groups": [{"groupname": "anonymous", "roles": [{"rolename": "reader"}]}],
                 "roles": [{"rolename": "reader", "acls": [\(acls.joined(separator: ", "))]}],
                 "anonymousGroup": "anonymous",
                 "defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true,
                                      "subscribe": false, "unsubscribe": true}}
                """
            let file = directory.appendingPathComponent("dynsec.json")
            try json.write(to: file, atomically: true, encoding: .utf8)
            lines += [
                "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
                "plugin_opt_config_file \(file.path)",
            ]
        }
        if options.persistence {
            lines += ["persistence true", "persistence_location \(directory.path)/"]
        }
        if let limit = options.maxQueuedMessages { lines.append("max_queued_messages \(limit)") }
        if let limit = options.maxInflightMessages { lines.append("max_inflight_messages \(limit)") }
        try (lines.joined(separator: "\n") + "\n").write(to: configFile, atomically: true, encoding: .utf8)
        let pid = try TestProcess.spawn("/usr/sbin/mosquitto", ["-c", configFile.path], output: logFile.path)
        lock.withLock { self.pid = pid }

        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if TestProcess.wait(pid, timeout: .zero) != nil {
                lock.withLock { self.pid = nil }
                break
            }
            if TestBroker.acceptsTCP(port: port) { return }
            usleep(10_000)
        }
        stop()
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        throw TestProcess.Failure(description: "mosquitto did not start on port \(port): \(text)")
    }

    /// SIGTERM, then wait (SIGKILL after 5 s). Blocking; for `defer` and deinit.
    package func stop() {
        guard
            let pid = lock.withLock({ () -> pid_t? in
                defer { self.pid = nil }
                return self.pid
            })
        else { return }
        TestProcess.terminate(pid)
    }

    /// A port nothing listens on right now: bind port 0 on 127.0.0.1, read it back, close.
    package static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestProcess.Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestProcess.Failure(description: "bind/getsockname failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    package static func acceptsTCP(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
