import Foundation
import Testing
import TelemetryTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A scratch root holding what the README's install commands put under /usr/lib, /etc and
/// /usr/local/bin, made by running those commands (`systemd-sysusers` and `systemd-tmpfiles`
/// with `--root`), so the host's user database and directories stay untouched. The service's
/// user and group exist only in the scratch root's /etc/passwd and /etc/group; commands run
/// as them by number (setpriv). Needs root: it installs files owned by another user.
struct ScratchInstallation {
    let root: String
    let uid: uid_t
    let gid: gid_t

    /// Another user, outside the service's group unless given it.
    static let otherUser: uid_t = 65533
    static let otherGroup: gid_t = 65533

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Makes the root (0755 directories, as on a real system) and runs the README's lines
    /// installing the executables and the sysusers file; reads back the user it made.
    static func make(_ name: String = #function) async throws -> ScratchInstallation {
        let root = NSTemporaryDirectory() + "telemetryd-install-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
        for directory in ["/etc", "/usr/lib/sysusers.d", "/usr/lib/tmpfiles.d", "/usr/local/bin", "/run", "/var/lib"] {
            try FileManager.default.createDirectory(atPath: root + directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        }
        guard chmod(root, 0o755) == 0 else { throw Failure(description: "chmod \(root): \(String(cString: strerror(errno)))") }
        let bare = ScratchInstallation(root: root, uid: 0, gid: 0)
        try await bare.runReadmeLine(containing: "scripts/install.sh")
        try await bare.runReadmeLine(containing: "systemd/telemetryd.sysusers")
        let entry = try bare.passwdEntry()
        guard entry.count == 7, let uid = uid_t(entry[2]), let gid = gid_t(entry[3]) else {
            throw Failure(description: "no service user in the scratch /etc/passwd: \(entry)")
        }
        return ScratchInstallation(root: root, uid: uid, gid: gid)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// The fields of the service user's line in the scratch /etc/passwd.
    func passwdEntry() throws -> [String] {
        let user = try ServiceFiles.unitValue("User")
        let lines = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8).split(separator: "\n")
        return lines.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }.first { $0.first == user } ?? []
    }

    /// The fields of the service group's line in the scratch /etc/group.
    func groupEntry() throws -> [String] {
        let group = try ServiceFiles.unitValue("Group")
        let lines = try String(contentsOfFile: root + "/etc/group", encoding: .utf8).split(separator: "\n")
        return lines.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }.first { $0.first == group } ?? []
    }

    /// Runs the README install line holding `text` from the repository, with its system paths
    /// moved under the scratch root and the group given by number (the host does not know it).
    func runReadmeLine(containing text: String) async throws {
        let group = try ServiceFiles.unitValue("Group")
        let line = try ServiceFiles.readmeInstallLine(containing: text)
            .replacingOccurrences(of: ".build/release/", with: Executables.directory.path + "/")
            .replacingOccurrences(of: "PREFIX=/usr/", with: "DESTDIR=\(root) PREFIX=/usr/")
            .replacingOccurrences(of: " /usr/", with: " \(root)/usr/")
            .replacingOccurrences(of: " /etc/", with: " \(root)/etc/")
            .replacingOccurrences(of: "systemd-sysusers ", with: "systemd-sysusers --root=\(root) ")
            .replacingOccurrences(of: "systemd-tmpfiles ", with: "systemd-tmpfiles --root=\(root) ")
            .replacingOccurrences(of: "-g \(group) ", with: "-g \(gid) ")
        let result = try await Self.run("/bin/sh", ["-ec", line], directory: ServiceFiles.repository)
        guard result.status == 0 else { throw Failure(description: "\(line) exited \(result.status): \(result.stderr)") }
    }

    /// An installed executable (under the scratch /usr/local/bin).
    func executable(_ name: String) -> String { root + "/usr/local/bin/" + name }

    /// Runs an installed executable as `uid`/`gid` with exactly `groups` as supplementary
    /// groups, under the unit's `UMask=`.
    func run(_ name: String, _ arguments: [String], uid: uid_t, gid: gid_t, groups: [gid_t] = []) async throws -> Result {
        let umask = String(try ServiceFiles.unitMode("UMask"), radix: 8)
        let identity = ["--reuid=\(uid)", "--regid=\(gid)",
                        groups.isEmpty ? "--clear-groups" : "--groups=" + groups.map(String.init).joined(separator: ",")]
        return try await Self.run("/bin/sh", ["-c", #"umask "$0" && exec setpriv "$@""#, umask] + identity + ["--", executable(name)] + arguments)
    }

    /// `run` as the service's user and group.
    func runAsService(_ name: String, _ arguments: [String]) async throws -> Result {
        let result = try await run(name, arguments, uid: uid, gid: gid)
        // A toolchain in a private directory (e.g. under /root) is not loadable by that user.
        if result.status == 127 { try Test.cancel("the Swift runtime libraries are not readable by uid \(uid): \(result.stderr)") }
        return result
    }

    /// Makes the data directory as `StateDirectory=` does: owned by the service user, with
    /// the unit's `StateDirectoryMode=`.
    func makeStateDirectory() throws -> String {
        let path = root + "/var/lib/" + (try ServiceFiles.unitValue("StateDirectory"))
        guard mkdir(path, try ServiceFiles.unitMode("StateDirectoryMode")) == 0,
              chown(path, uid, gid) == 0, chmod(path, try ServiceFiles.unitMode("StateDirectoryMode")) == 0
        else { throw Failure(description: "cannot make \(path): \(String(cString: strerror(errno)))") }
        return path
    }

    /// Runs `executable` to completion on a thread of its own (not the Swift concurrency pool).
    static func run(_ executable: String, _ arguments: [String], directory: String? = nil) async throws -> Result {
        try await offload {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                          stderr: String(decoding: stderr, as: UTF8.self))
        }
    }
}

/// The README's installation as far as it goes without systemd as PID 1: the user and group
/// the sysusers file makes, the service root the tmpfiles file makes, a configuration the
/// service can read and strangers cannot, and data the service's group can query.
@Suite(.enabled(if: geteuid() == 0, "needs root: installs files owned by another user and runs commands as it"))
struct SystemdInstallTests {
    @Test func theSysusersFileInstalledAsTheReadmeSaysMakesASystemUserAndItsGroup() async throws {
        let installation = try await ScratchInstallation.make()
        defer { installation.remove() }
        let user = try installation.passwdEntry()
        #expect(installation.uid > 0 && installation.uid < 1000, "\(user)")
        #expect(user[5] == "/var/lib/" + (try ServiceFiles.unitValue("StateDirectory")))
        #expect(user[6].hasSuffix("/nologin"))
        let group = try installation.groupEntry()
        #expect(group.count == 4 && gid_t(group[2]) == installation.gid, "\(group)")
    }

    @Test func theTmpfilesFileInstalledAsTheReadmeSaysMakesTheServiceRoot() async throws {
        let installation = try await ScratchInstallation.make()
        defer { installation.remove() }
        try await installation.runReadmeLine(containing: "systemd/telemetryd.tmpfiles")
        var info = stat()
        try #require(stat(installation.root + (try ServiceFiles.unitValue("RootDirectory")), &info) == 0)
        #expect(info.st_mode & mode_t(S_IFMT) == mode_t(S_IFDIR))
        #expect(info.st_mode & 0o7777 == 0o755)
        #expect(info.st_uid == 0 && info.st_gid == 0)
    }

    @Test func theServiceUserCanReadTheConfigurationInstalledAsTheReadmeSays() async throws {
        let installation = try await ScratchInstallation.make()
        defer { installation.remove() }
        try await installation.runReadmeLine(containing: "config/telemetryd.yaml")
        let config = installation.root + "/etc/telemetryd/telemetryd.yaml"
        var info = stat()
        try #require(stat(config, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(info.st_uid == 0 && info.st_gid == installation.gid)

        let check = try await installation.runAsService("telemetryd", ["check-config", "--config", config])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("configuration OK"))
    }

    @Test func aUserOutsideTheGroupCannotReadTheConfiguration() async throws {
        let installation = try await ScratchInstallation.make()
        defer { installation.remove() }
        try await installation.runReadmeLine(containing: "config/telemetryd.yaml")
        let config = installation.root + "/etc/telemetryd/telemetryd.yaml"
        // Skips (rather than passes) when an unprivileged user cannot load the executable at all.
        _ = try await installation.runAsService("telemetryd", ["--help"])

        let check = try await installation.run("telemetryd", ["check-config", "--config", config],
                                               uid: ScratchInstallation.otherUser, gid: ScratchInstallation.otherGroup)
        #expect(check.status != 0)
        #expect(check.stderr.contains("cannot read config file"), "\(check.stderr)")
        #expect(!check.stdout.contains("configuration OK"))
    }

    @Test func aMemberOfTheGroupCanQueryTheDataTheServiceWrites() async throws {
        let installation = try await ScratchInstallation.make()
        defer { installation.remove() }
        let data = try await writeSomeRollups(installation)
        let query = try await installation.run("telemetryctl", ["--data-dir", data, "query", "--window", "1m", "--format", "csv"],
                                               uid: ScratchInstallation.otherUser, gid: ScratchInstallation.otherGroup,
                                               groups: [installation.gid])
        #expect(query.status == 0, "\(query.stderr)")
        #expect(query.stdout.contains("aq-install-1"))
    }

    @Test func aUserOutsideTheGroupCannotReadTheData() async throws {
        let installation = try await ScratchInstallation.make()
        defer { installation.remove() }
        let data = try await writeSomeRollups(installation)
        let query = try await installation.run("telemetryctl", ["--data-dir", data, "query", "--window", "1m", "--format", "csv"],
                                               uid: ScratchInstallation.otherUser, gid: ScratchInstallation.otherGroup)
        #expect(query.status != 0)
        #expect(!query.stdout.contains("aq-install-1"))
    }

    /// Replays a short capture as the service user into a data directory made as
    /// `StateDirectory=` makes it; returns the directory.
    private func writeSomeRollups(_ installation: ScratchInstallation) async throws -> String {
        let data = try installation.makeStateDirectory()
        let start: Int64 = 1_796_140_800_000
        let lines = (0..<30).map { i in
            let ts = start + Int64(i) * 5_000
            return "\(Double(ts) / 1000) vn/hanoi/aq-install-1/telemetry {\"ts\":\(ts),\"pm25\":\(i).5}"
        }
        let capture = installation.root + "/fleet.capture"
        try (lines.joined(separator: "\n") + "\n").write(toFile: capture, atomically: false, encoding: .utf8)
        chmod(capture, 0o644)
        let replay = try await installation.runAsService("telemetryd", ["replay", capture, "--data-dir", data])
        guard replay.status == 0 else { throw ScratchInstallation.Failure(description: "replay exited \(replay.status): \(replay.stderr)") }
        return data
    }
}
