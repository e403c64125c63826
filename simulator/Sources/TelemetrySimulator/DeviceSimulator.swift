/// The running state of one device: its signal model, seq counter, network FIFO and random
/// streams; turns each scheduled publish into zero or more `SimulatedMessage`s (with faults).
///
/// Random draws come from three independent streams (signal, faults, network), so the
/// signal values of a device do not depend on the fault rate. Without faults a device's
/// messages arrive in publish order (one connection, FIFO): arrival = max(event time +
/// latency of 0–300 ms, previous arrival).
/// Threading: a value type owned by one generator.
struct DeviceSimulator: Sendable {
    private enum Model: Sendable {
        case airQuality(AirQualityModel)
        case powerMeter(PowerMeterModel)
        case waterLevel(WaterLevelModel)
    }

    static let maximumLatencyMicros: Int64 = 300_000

    let device: Device
    private let faultRate: Double
    private var model: Model
    private var signal: Xoshiro256StarStar
    private var faults: Xoshiro256StarStar
    private var network: Xoshiro256StarStar
    private var nextSeq: Int64
    private var lastArrivalMicros: Int64 = 0
    private var hasPublished = false

    init(device: Device, configuration: FleetConfiguration) {
        self.device = device
        faultRate = configuration.faultRate
        let seed = configuration.seed
        signal = Xoshiro256StarStar(seed: seed, stream: Fleet.stream(device: device.index, purpose: 1))
        faults = Xoshiro256StarStar(seed: seed, stream: Fleet.stream(device: device.index, purpose: 2))
        network = Xoshiro256StarStar(seed: seed, stream: Fleet.stream(device: device.index, purpose: 3))
        switch device.kind {
        case .airQuality:
            model = .airQuality(AirQualityModel(site: device.site, intervalMs: configuration.intervalMs, rng: &signal))
        case .powerMeter:
            model = .powerMeter(PowerMeterModel(intervalMs: configuration.intervalMs, rng: &signal))
        case .waterLevel:
            model = .waterLevel(WaterLevelModel(site: device.site, intervalMs: configuration.intervalMs, rng: &signal))
        }
        nextSeq = device.firstSeq ?? 0
    }

    /// Simulates the publish scheduled at `eventMs` and appends what subscribers receive.
    /// Every returned message arrives at or after `eventMs`.
    mutating func publish(atMs eventMs: Int64, into out: inout [SimulatedMessage]) {
        advanceModel(atMs: eventMs)

        var fault: FaultKind? = nil
        if faultRate > 0, faults.nextUnit() < faultRate {
            // A gap is only visible after an earlier seq, so a first publish never gets one.
            let possible = hasPublished
                ? device.kind.possibleFaults
                : device.kind.possibleFaults.filter { $0 != .gap }
            fault = possible[faults.nextIndex(possible.count)]
        }
        hasPublished = true
        let latency = network.nextInt(in: 0...Self.maximumLatencyMicros)
        var arrival = max(eventMs * 1_000 + latency, lastArrivalMicros)
        let valueFormat = device.kind.isValueFormat

        if fault == .malformed {
            lastArrivalMicros = arrival
            out.append(malformed(atMs: eventMs, arrivalMicros: arrival))
            return
        }
        var skipped: Int64 = 0
        if fault == .gap {
            skipped = faults.nextInt(in: FaultKind.gapSizes)
            nextSeq += skipped
        }
        if fault == .outOfOrder {
            arrival += faults.nextInt(in: FaultKind.outOfOrderDelayMicros)
        } else {
            lastArrivalMicros = arrival
        }
        let tsMs = fault == .late ? eventMs - FaultKind.lateShiftMs : eventMs
        let seq: Int64? = valueFormat ? nil : nextSeq
        if !valueFormat { nextSeq += 1 }
        let message = SimulatedMessage(
            arrivalMicros: arrival, topic: device.topic,
            payload: payload(tsMs: tsMs, seq: seq ?? 0, tamper: .none),
            deviceIndex: device.index, seq: seq,
            eventTimeMs: valueFormat ? arrival / 1_000 : tsMs,
            fault: fault == .duplicate ? nil : fault, seqsSkipped: skipped)
        out.append(message)
        if fault == .duplicate {
            var copy = message
            copy.arrivalMicros += faults.nextInt(in: FaultKind.duplicateDelayMicros)
            copy.fault = .duplicate
            out.append(copy)
        }
    }

    private mutating func advanceModel(atMs ms: Int64) {
        switch model {
        case .airQuality(var m):
            m.advance(atMs: ms, rng: &signal)
            model = .airQuality(m)
        case .powerMeter(var m):
            m.advance(atMs: ms, rng: &signal)
            model = .powerMeter(m)
        case .waterLevel(var m):
            m.advance(atMs: ms, rng: &signal)
            model = .waterLevel(m)
        }
    }

    /// The normal payload of the current reading (a JSON object, or a bare number).
    private func payload(tsMs: Int64, seq: Int64, tamper: PayloadWriter.Tamper) -> [UInt8] {
        var w = PayloadWriter(tamper: tamper)
        switch model {
        case .airQuality(let m): m.write(tsMs: tsMs, seq: seq, to: &w)
        case .powerMeter(let m): m.write(tsMs: tsMs, seq: seq, to: &w)
        case .waterLevel(let m): m.write(to: &w.bytes)
        }
        return w.bytes
    }

    /// A message that cannot be decoded; the seq counter does not advance.
    private mutating func malformed(atMs eventMs: Int64, arrivalMicros: Int64) -> SimulatedMessage {
        let kinds = device.kind.possibleMalformations
        let kind = kinds[faults.nextIndex(kinds.count)]
        var topic = device.topic
        let payload: [UInt8]
        let metric = faults.nextIndex(AirQualityModel.metricCount)  // both JSON kinds have 4
        switch kind {
        case .truncatedJSON:
            let whole = self.payload(tsMs: eventMs, seq: nextSeq, tamper: .none)
            payload = Array(whole.prefix(Int(faults.nextInt(in: 1...Int64(whole.count - 1)))))
        case .missingValue:
            payload = self.payload(tsMs: eventMs, seq: nextSeq, tamper: .missingValue(metric))
        case .nonFiniteNumber where device.kind.isValueFormat:
            payload = Array("1e999".utf8)
        case .nonFiniteNumber:
            payload = self.payload(tsMs: eventMs, seq: nextSeq, tamper: .nonFinite(metric))
        case .invalidUTF8 where device.kind.isValueFormat:
            var number = self.payload(tsMs: eventMs, seq: 0, tamper: .none)
            number.insert(contentsOf: [0xFF, 0xFE], at: 1)
            payload = number
        case .invalidUTF8:
            payload = self.payload(tsMs: eventMs, seq: nextSeq, tamper: .invalidUTF8(metric))
        case .emptyObject:
            payload = Array("{}".utf8)
        case .notANumber:
            payload = Array("abc".utf8)
        case .nanText:
            payload = Array("NaN".utf8)
        case .unmatchedTopic:
            let site = device.site.rawValue
            topic = faults.nextUnit() < 0.5
                ? "vn/\(site)/\(device.id)"
                : "factory/\(site)/\(device.id)/line/\(device.kind.topicLeaf)"
            payload = self.payload(tsMs: eventMs, seq: nextSeq, tamper: .none)
        }
        return SimulatedMessage(
            arrivalMicros: arrivalMicros, topic: topic, payload: payload, deviceIndex: device.index,
            seq: nil, eventTimeMs: device.kind.isValueFormat ? arrivalMicros / 1_000 : eventMs,
            fault: .malformed, malformation: kind)
    }
}
