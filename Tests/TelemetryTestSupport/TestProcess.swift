import Foundation

#if canImport(Glibc)
package import Glibc
#endif

/// Starts and waits for command-line tools (mosquitto, mosquitto_pub, openssl, …).
///
/// Uses `posix_spawn` with an empty signal mask and default signal handling: the test
/// runner's worker threads block SIGTERM, and a child started with Foundation's `Process`
/// inherits that mask — a broker would then never see the SIGTERM that stops it.
package enum TestProcess {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
        package init(description: String) { self.description = description }
    }

    /// Starts `executable`; stdout and stderr are appended to `output`, stdin is /dev/null.
    package static func spawn(
        _ executable: String, _ arguments: [String], output: String, environment: [String: String]? = nil
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        let rc = envp.map { e in e.withUnsafeBufferPointer { posix_spawn(&pid, executable, &actions, &attributes, argv, $0.baseAddress) } }
            ?? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// Waits up to `timeout` for `pid` to exit; returns its exit code (128+signal if killed),
    /// or nil if it is still running.
    package static func wait(_ pid: pid_t, timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            }
            if result < 0 { return -1 }
            if ContinuousClock.now >= deadline { return nil }
            usleep(2_000)
        }
    }

    /// `wait(_:timeout:)` without blocking a thread of the Swift concurrency pool.
    package static func exitCode(of pid: pid_t, timeout: Duration) async -> Int32? {
        await offload { wait(pid, timeout: timeout) }
    }

    /// SIGTERM, wait up to `grace`, then SIGKILL; always reaps the process.
    package static func terminate(_ pid: pid_t, grace: Duration = .seconds(5)) {
        kill(pid, SIGTERM)
        if wait(pid, timeout: grace) == nil {
            kill(pid, SIGKILL)
            _ = wait(pid, timeout: .seconds(5))
        }
    }

    /// Runs `executable` to completion (killed after `timeout`) and returns its output; throws
    /// with the output unless it exits 0. The waiting happens on a thread of its own, not on the
    /// Swift concurrency pool the tests and the client's tasks share.
    @discardableResult
    package static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(15)) async throws
        -> String
    {
        try await offload { try runBlocking(executable, arguments, timeout: timeout) }
    }

    @discardableResult
    package static func runBlocking(_ executable: String, _ arguments: [String], timeout: Duration) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mqtt-test-out-\(UUID().uuidString)")
            .path
        defer { unlink(output) }
        let pid = try spawn(executable, arguments, output: output)
        let status = wait(pid, timeout: timeout)
        if status == nil { terminate(pid, grace: .milliseconds(200)) }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let command = ([executable] + arguments).joined(separator: " ")
        guard let status else { throw Failure(description: "\(command) did not finish within \(timeout): \(text)") }
        guard status == 0 else { throw Failure(description: "\(command) exited with \(status): \(text)") }
        return text
    }

    /// `mosquitto_pub` to a test broker on 127.0.0.1.
    package static func mosquittoPub(
        port: Int, topic: String, message: String? = nil, file: String? = nil, qos: Int = 1,
        extra: [String] = []
    ) async throws {
        var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-t", topic, "-q", "\(qos)"]
        if let message { arguments += ["-m", message] }
        if let file { arguments += ["-f", file] }
        try await run("/usr/bin/mosquitto_pub", arguments + extra)
    }
}

/// Runs blocking work (process waits, polling, blocking reads) on a thread of its own and
/// awaits the result. Not on Dispatch's global queue: on Linux that is where Swift's tasks
/// run too, and a blocked worker there stalls every test's tasks until Dispatch notices.
package func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// `offload` for work that cannot throw.
package func offload<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.start()
    }
}

/// Runs `python3 -c script` off the concurrency pool; its exit status and standard output
/// (the DuckDB checks: `pip install duckdb`).
package func runPython(_ script: String) async throws -> (status: Int32, output: String) {
    try await offload { () throws -> (Int32, String) in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
