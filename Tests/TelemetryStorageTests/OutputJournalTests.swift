import Foundation
import Testing
@testable import TelemetryStorage

/// The undo record of one output epoch.
@Suite struct OutputJournalTests {
    func scratch(_ name: String = #function) -> String {
        let path = NSTemporaryDirectory() + "telemetryd-journal-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path + "/state", withIntermediateDirectories: true)
        return path
    }

    func append(_ text: String, to path: String) {
        let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)!
        }()
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try? handle.close()
    }

    @Test func rollingBackCutsFilesToTheirLengthBeforeTheEpochAndRemovesNewOnes() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let old = root + "/old.jsonl", new = root + "/new.jsonl"
        append("line 1\n", to: old)
        let journal = try OutputJournal(stateDirectory: root + "/state", epoch: 3)
        try journal.willAppend(to: old)
        append("line 2\n", to: old)
        try journal.willAppend(to: new)
        append("only line\n", to: new)
        #expect(try OutputJournal.rollBack(stateDirectory: root + "/state", epoch: 3) == 2)
        #expect(try String(contentsOfFile: old, encoding: .utf8) == "line 1\n")
        #expect(!FileManager.default.fileExists(atPath: new))
    }

    @Test func aPathIsRecordedOncePerEpochSoItsFirstLengthWins() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/f.jsonl"
        append("a\n", to: file)
        let journal = try OutputJournal(stateDirectory: root + "/state", epoch: 0)
        try journal.willAppend(to: file)
        append("b\n", to: file)
        try journal.willAppend(to: file)
        append("c\n", to: file)
        try OutputJournal.rollBack(stateDirectory: root + "/state", epoch: 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "a\n")
    }

    @Test func aNewEpochForgetsTheOldOneAndOnlyItsOwnJournalIsRolledBack() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/f.jsonl"
        let journal = try OutputJournal(stateDirectory: root + "/state", epoch: 0)
        try journal.willAppend(to: file)
        append("kept: the checkpoint of epoch 1 covers it\n", to: file)
        try journal.begin(epoch: 1)
        #expect(!FileManager.default.fileExists(atPath: OutputJournal.path(stateDirectory: root + "/state", epoch: 0)))
        try journal.willAppend(to: file)
        append("undone\n", to: file)
        #expect(try OutputJournal.rollBack(stateDirectory: root + "/state", epoch: 1) == 1)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "kept: the checkpoint of epoch 1 covers it\n")
    }

    @Test func aTornLastJournalLineIsIgnoredBecauseItsAppendNeverHappened() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let file = root + "/f.jsonl"
        append("whole\n", to: file)
        append("0 \(file)", to: OutputJournal.path(stateDirectory: root + "/state", epoch: 0))  // no newline
        #expect(try OutputJournal.rollBack(stateDirectory: root + "/state", epoch: 0) == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "whole\n")
    }

    @Test func noJournalRollsBackNothing() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try OutputJournal.rollBack(stateDirectory: root + "/state", epoch: 7) == 0)
    }
}
