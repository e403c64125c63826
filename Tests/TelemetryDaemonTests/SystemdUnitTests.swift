import Foundation
import Testing
import TelemetryTestSupport

/// The service's shipped files — the unit, the sysusers and tmpfiles entries — and the README's
/// install commands, read the way systemd and a person following the README read them.
enum ServiceFiles {
    static let repository = #filePath.components(separatedBy: "/Tests/")[0]
    static let unit = repository + "/systemd/telemetryd.service"
    static let sysusers = repository + "/systemd/telemetryd.sysusers"
    static let tmpfiles = repository + "/systemd/telemetryd.tmpfiles"

    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    /// Every value given to `key` in the unit, in order (`BindReadOnlyPaths=` may come twice).
    static func unitValues(_ key: String) throws -> [String] {
        try String(contentsOfFile: unit, encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix(key + "=") }
            .map { String($0.dropFirst(key.count + 1)) }
    }

    /// The value of a single-valued setting: the last one given, as systemd takes it.
    static func unitValue(_ key: String) throws -> String {
        guard let value = try unitValues(key).last else { throw Missing(description: "the unit sets no \(key)=") }
        return value
    }

    /// A mode setting such as `UMask=0027`, as a number.
    static func unitMode(_ key: String) throws -> mode_t {
        let text = try unitValue(key)
        guard let mode = mode_t(text, radix: 8) else { throw Missing(description: "\(key)=\(text) is not an octal mode") }
        return mode
    }

    /// The entries of a sysusers.d or tmpfiles.d file: comment and blank lines dropped, each
    /// line split into fields on blanks, a double-quoted field kept whole without its quotes.
    static func entries(_ path: String) throws -> [[String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }
            .map { line in
                var fields: [String] = [], field = "", quoted = false
                for character in line {
                    if character == "\"" { quoted.toggle() } else if character == " " && !quoted {
                        if !field.isEmpty { fields.append(field); field = "" }
                    } else { field.append(character) }
                }
                if !field.isEmpty { fields.append(field) }
                return fields
            }
    }

    /// The shell lines of the `sh` block in the README's "As a systemd service" subsection.
    static func readmeInstallLines() throws -> [String] {
        let readme = try String(contentsOfFile: repository + "/README.md", encoding: .utf8)
        guard let section = readme.components(separatedBy: "### As a systemd service\n").dropFirst().first,
              let block = section.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first
        else { throw Missing(description: "the README has no sh block under \"As a systemd service\"") }
        return block.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
    }

    /// The one README install line holding `text`.
    static func readmeInstallLine(containing text: String) throws -> String {
        let lines = try readmeInstallLines().filter { $0.contains(text) }
        guard lines.count == 1 else { throw Missing(description: "\(lines.count) README install lines hold '\(text)'") }
        return lines[0]
    }
}

@Suite struct SystemdUnitTests {
    static let unit = ServiceFiles.unit

    /// Runs systemd-analyze on a thread of its own (not the Swift concurrency pool).
    func analyze(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await offload { try Self.analyzeBlocking(arguments) }
    }

    static func analyzeBlocking(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theUnitIsANotifyServiceWithAStateDirectoryAndRestartOnFailure() async throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        for line in ["Type=notify", "Restart=on-failure", "StateDirectory=telemetryd", "ConfigurationDirectory=telemetryd",
                     "WatchdogSec="] {
            #expect(text.contains(line), "missing \(line)")
        }
    }

    @Test func theUnitRunsAsTheStaticUserAndGroupTheSysusersFileCreates() throws {
        #expect(try ServiceFiles.unitValue("DynamicUser") == "no")
        let users = try ServiceFiles.entries(ServiceFiles.sysusers).filter { $0.first == "u" }
        let user = try #require(users.first, "no u line in telemetryd.sysusers")
        #expect(users.count == 1)
        // `u NAME -`: a user and a group of the same name.
        #expect(try ServiceFiles.unitValue("User") == user[1])
        #expect(try ServiceFiles.unitValue("Group") == user[1])
        #expect(user[2] == "-")
        let stateDirectory = try ServiceFiles.unitValue("StateDirectory")
        #expect(user.last == "/var/lib/" + stateDirectory)
    }

    @Test func theDataIsReadableByTheServiceGroupAndNoOneElse() throws {
        #expect(try ServiceFiles.unitMode("StateDirectoryMode") == 0o750)
        #expect(try ServiceFiles.unitMode("UMask") == 0o027)
    }

    @Test func theUnitRunsInTheRootDirectoryTheTmpfilesFileCreates() throws {
        let root = try ServiceFiles.unitValue("RootDirectory")
        #expect(root != "/" && !root.isEmpty)
        let entries = try ServiceFiles.entries(ServiceFiles.tmpfiles)
        #expect(entries.contains(["d", root, "0755", "root", "root", "-"]), "\(entries)")
        let bound = try ServiceFiles.unitValues("BindReadOnlyPaths").flatMap { $0.split(separator: " ").map(String.init) }
        for path in ["/usr", "/etc", "/run/systemd/notify"] { #expect(bound.contains(path), "\(path) is not bound") }
    }

    @Test func theReadmeInstallsTheUserTheServiceRootAndAConfigurationTheGroupMayRead() throws {
        #expect(try ServiceFiles.readmeInstallLine(containing: "systemd/telemetryd.sysusers").contains("systemd-sysusers "))
        #expect(try ServiceFiles.readmeInstallLine(containing: "systemd/telemetryd.tmpfiles").contains("systemd-tmpfiles --create "))
        let group = try ServiceFiles.unitValue("Group")
        #expect(try ServiceFiles.readmeInstallLine(containing: "config/telemetryd.yaml")
            .contains("install -o root -g \(group) -m 0640 config/telemetryd.yaml /etc/telemetryd/"))
        #expect(try ServiceFiles.readmeInstallLine(containing: "swift build").contains("--static-swift-stdlib"))
    }

    @Test func systemdAnalyzeVerifyAcceptsTheUnit() async throws {
        // verify checks that ExecStart exists: point it at an executable that does.
        let directory = NSTemporaryDirectory() + "unit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/telemetryd", with: Executables.directory.appendingPathComponent("telemetryd").path)
        try text.write(toFile: directory + "/telemetryd.service", atomically: true, encoding: .utf8)
        let result = try await analyze(["verify", directory + "/telemetryd.service"])
        #expect(result.status == 0, "\(result.output)")
        let complaints = result.output.split(separator: "\n").filter { $0.contains("telemetryd.service") }
        #expect(complaints.isEmpty, "\(complaints)")
    }

    @Test func theSecurityExposureIsAtMostOnePointZero() async throws {
        let result = try await analyze(["security", "--offline=true", "--no-pager", Self.unit])
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: ":")[1].split(separator: " ").first.flatMap { Double($0) })
        #expect(score <= 1.0, "\(line)")
    }
}
