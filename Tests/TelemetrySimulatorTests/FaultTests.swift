import Foundation
import Testing
import TelemetrySimulator

private let faulty = configuration(devices: 20, seed: 7, durationMs: 3_600_000, intervalMs: 10_000, faultRate: 0.2)

/// The capture of `faulty` and what a consumer finds in it, computed once for all tests.
private let faultyCapture = try! CaptureRecorder.captureBytes(faulty)
private let faultyFound = FileFaults(bytes: faultyCapture.bytes, fleet: Fleet(configuration: faulty))

/// What a consumer finds in the capture bytes of `faulty`, classified line by line.
private struct FileFaults {
    var malformed = 0
    var duplicates = 0
    var late = 0
    var delayed = 0
    var gaps = 0
    var seqsSkipped: Int64 = 0
    var lines = 0

    init(bytes: [UInt8], fleet: Fleet) {
        let records = parseCapture(bytes).compactMap { $0 }
        lines = records.count
        var seen: [String: [UInt8]] = [:]
        var seqs: [String: Set<Int64>] = [:]
        for record in records {
            if let reading = decodeJSONReading(record) {
                let key = "\(record.topic) \(reading.seq)"
                if let original = seen[key] {
                    if original == record.payload { duplicates += 1 }
                    continue
                }
                seen[key] = record.payload
                seqs[reading.device, default: []].insert(reading.seq)
                let lag = record.arrivalMs - reading.tsMs
                if lag >= FaultKind.lateShiftMs - 1_000 {
                    late += 1
                } else if lag >= 1_000 {
                    delayed += 1
                }
            } else if decodeWaterLevel(record) == nil {
                malformed += 1
            }
        }
        for device in fleet.devices where device.kind != .waterLevel {
            guard let first = device.firstSeq, let present = seqs[device.id] else { continue }
            var previous = first - 1
            for seq in present.sorted() {
                if seq - previous > 1 {
                    gaps += 1
                    seqsSkipped += seq - previous - 1
                }
                previous = seq
            }
        }
    }
}

@Test func everyFaultKindAppearsAtRate20Percent() throws {
    let counts = try generate(faulty).generator.faultCounts
    for kind in FaultKind.allCases {
        #expect(counts[kind] > 0, "\(kind)")
    }
}

@Test func faultRateIsRoughlyTheFractionOfFaultyMessages() throws {
    let (messages, generator) = try generate(faulty)
    let fraction = Double(generator.faultCounts.total) / Double(messages.count)
    #expect((0.15...0.25).contains(fraction))
}

@Test func noFaultsWithoutAFaultRate() throws {
    let (messages, generator) = try generate(configuration(durationMs: 3_600_000))
    #expect(generator.faultCounts.total == 0)
    #expect(messages.allSatisfy { $0.fault == nil })
}

@Test func countsMatchTheFaultsOnTheMessages() throws {
    let (messages, generator) = try generate(faulty)
    for kind in FaultKind.allCases {
        #expect(generator.faultCounts[kind] == messages.filter { $0.fault == kind }.count)
    }
    #expect(generator.messagesEmitted == messages.count)
}

@Test func linesAreScheduledMessagesPlusDuplicates() throws {
    let (bytes, summary) = faultyCapture
    #expect(parseCapture(bytes).count == Int(faulty.scheduledMessages) + summary.faults.duplicate)
    #expect(summary.messages == parseCapture(bytes).count)
}

@Test func malformedCountMatchesUndecodableLinesInFile() throws {
    let (found, summary) = (faultyFound, faultyCapture.summary)
    #expect(found.malformed == summary.faults.malformed)
}

@Test func duplicateCountMatchesRepeatedLinesInFile() throws {
    let (found, summary) = (faultyFound, faultyCapture.summary)
    #expect(found.duplicates == summary.faults.duplicate)
}

@Test func gapCountMatchesSeqJumpsInFile() throws {
    let (found, summary) = (faultyFound, faultyCapture.summary)
    #expect(found.gaps == summary.faults.gap)
    #expect(found.seqsSkipped == summary.faults.seqsSkipped)
    #expect(summary.faults.seqsSkipped >= Int64(summary.faults.gap))
    #expect(summary.faults.seqsSkipped <= 5 * Int64(summary.faults.gap))
}

@Test func lateCountMatchesTwoHourOldTimestampsInFile() throws {
    let (found, summary) = (faultyFound, faultyCapture.summary)
    #expect(found.late == summary.faults.late)
}

@Test func outOfOrderJSONMessagesArriveOneToFourSecondsLate() throws {
    let (messages, _) = try generate(faulty)
    let fleet = Fleet(configuration: faulty)
    let jsonOutOfOrder = messages.filter {
        $0.fault == .outOfOrder && !fleet.devices[$0.deviceIndex].kind.isValueFormat
    }
    let found = faultyFound
    #expect(found.delayed == jsonOutOfOrder.count)
    #expect(jsonOutOfOrder.allSatisfy { (1_000...4_300).contains($0.arrivalMs - $0.eventTimeMs) })
}

@Test func outOfOrderMessagesMostlyArriveAfterLaterEventsWithinFiveSeconds() throws {
    let (messages, _) = try generate(faulty)
    var latestEvent = Int64.min
    var overtaken = 0
    var outOfOrder = 0
    for message in messages where message.fault != .late && message.seq != nil {
        if message.fault == .outOfOrder {
            outOfOrder += 1
            if latestEvent > message.eventTimeMs { overtaken += 1 }
            // Still within a 5 s lateness allowance of the watermark.
            #expect(latestEvent - message.eventTimeMs < 5_000)
        }
        latestEvent = max(latestEvent, message.eventTimeMs)
    }
    // Whether another device's later event arrives in the 1–4 s delay depends on traffic;
    // with 2 messages/s nearly always.
    #expect(outOfOrder > 0)
    #expect(Double(overtaken) >= 0.85 * Double(outOfOrder))
}

@Test func outOfOrderOvertakesTheSameDeviceAtShortIntervals() throws {
    let config = configuration(devices: 5, seed: 3, durationMs: 600_000, intervalMs: 1_000, faultRate: 0.2)
    let (messages, _) = try generate(config)
    var lastSeq: [Int: Int64] = [:]
    var reordered = 0
    for message in messages {
        guard let seq = message.seq else { continue }
        if let previous = lastSeq[message.deviceIndex], seq < previous, message.fault == .outOfOrder {
            reordered += 1
        }
        lastSeq[message.deviceIndex] = max(seq, lastSeq[message.deviceIndex] ?? seq)
    }
    #expect(reordered > 0)
}

@Test func duplicateCopiesArriveWithinTwoSecondsWithSamePayload() throws {
    let (messages, _) = try generate(faulty)
    var originals: [String: SimulatedMessage] = [:]
    for message in messages {
        guard let seq = message.seq else { continue }
        let key = "\(message.deviceIndex) \(seq)"
        if message.fault == .duplicate {
            let original = try #require(originals[key])
            #expect(original.payload == message.payload)
            #expect(original.topic == message.topic)
            #expect((0...2_000_000).contains(message.arrivalMicros - original.arrivalMicros))
        } else {
            originals[key] = message
        }
    }
}

@Test func waterLevelDevicesOnlyGetMalformedOrOutOfOrder() throws {
    let (messages, _) = try generate(faulty)
    let fleet = Fleet(configuration: faulty)
    let gaugeFaults = messages.filter { fleet.devices[$0.deviceIndex].kind == .waterLevel }.compactMap(\.fault)
    #expect(!gaugeFaults.isEmpty)
    #expect(Set(gaugeFaults).isSubset(of: [.malformed, .outOfOrder]))
    #expect(DeviceKind.waterLevel.possibleFaults == [.malformed, .outOfOrder])
}

@Test func everyMalformationKindAppears() throws {
    let config = configuration(devices: 20, seed: 11, durationMs: 6 * 3_600_000, faultRate: 0.3)
    let (messages, _) = try generate(config)
    let seen = Set(messages.compactMap(\.malformation))
    #expect(seen == Set(Malformation.allCases))
    #expect(messages.allSatisfy { ($0.fault == .malformed) == ($0.malformation != nil) })
}

@Test func invalidUTF8PayloadsReallyAreInvalid() throws {
    let (messages, _) = try generate(faulty)
    let broken = messages.filter { $0.malformation == .invalidUTF8 }
    #expect(!broken.isEmpty)
    #expect(broken.allSatisfy { String(validating: $0.payload, as: UTF8.self) == nil })
    #expect(broken.allSatisfy { !$0.payload.contains(0x0A) })
}

@Test func unmatchedTopicsHaveThreeOrFiveSegments() throws {
    let (messages, _) = try generate(configuration(devices: 20, seed: 11, durationMs: 6 * 3_600_000, faultRate: 0.3))
    let unmatched = messages.filter { $0.malformation == .unmatchedTopic }
    #expect(!unmatched.isEmpty)
    for message in unmatched {
        let segments = message.topic.split(separator: "/").count
        #expect(segments == 3 || segments == 5, "\(message.topic)")
        #expect(!message.topic.contains(" "))
    }
}

@Test func aGapNeverHitsADevicesFirstMessage() throws {
    let config = configuration(devices: 200, seed: 5, durationMs: 30_000, faultRate: 1)
    let (messages, _) = try generate(config)
    let fleet = Fleet(configuration: config)
    var seenDevice: Set<Int> = []
    for message in messages where message.fault != .duplicate {
        if seenDevice.insert(message.deviceIndex).inserted {
            #expect(message.fault != .gap)
        }
    }
    #expect(messages.contains { $0.fault == .gap })
    #expect(seenDevice.count == fleet.devices.count)
}

@Test func summaryLineNamesEveryFaultKind() throws {
    let summary = faultyCapture.summary
    let text = summary.description
    #expect(text.contains("wrote \(summary.messages) messages from 20 devices"))
    for kind in FaultKind.allCases {
        #expect(text.contains("\(kind.rawValue)=\(summary.faults[kind])"))
    }
}
