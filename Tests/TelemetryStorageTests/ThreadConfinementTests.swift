import Foundation
import Testing
import TelemetryCore
@testable import TelemetryStorage

/// The debug checks behind "owned by one thread" and "one thread at a time".
@Suite struct ThreadConfinementTests {
    @Test func theOwnerMayCallAgainAndAgain() {
        var owner = OwningThread()
        owner.check()
        owner.check()
    }

    @Test func anotherThreadTrapsInDebugBuilds() async {
        #if DEBUG
        await #expect(processExitsWith: .failure) {
            let owned = Owned()
            owned.use()
            let other = Thread { owned.use() }
            other.start()
            sleep(3); exit(0)  // no trap: the check is missing
        }
        #endif
    }

    @Test func exclusiveUseTrapsWhenASecondThreadEntersInDebugBuilds() async {
        #if DEBUG
        await #expect(processExitsWith: .failure) {
            let use = ExclusiveUse()
            use.withExclusiveUse {
                let other = Thread { use.withExclusiveUse {} }
                other.start()
                sleep(3); exit(0)  // no trap: the check is missing
            }
        }
        #endif
    }

    @Test func aRollupSinkUsedFromASecondThreadTrapsInDebugBuilds() async {
        #if DEBUG
        await #expect(processExitsWith: .failure) {
            let directory = NSTemporaryDirectory() + "telemetryd-confinement-\(UUID().uuidString.prefix(8))"
            let sink = SinkBox(RollupFileSink(directory: DataDirectory(directory), format: .jsonl))
            try? sink.sink.flush()
            let other = Thread { try? sink.sink.flush() }
            other.start()
            sleep(3); exit(0)  // no trap: the check is missing
        }
        #endif
    }

    @Test func exclusiveUseAllowsOneThreadAfterAnother() async {
        let use = ExclusiveUse()
        for _ in 0..<3 {
            await onThread { use.withExclusiveUse {} }
        }
    }

    /// A sink handed to another thread (unchecked: the point is to misuse it).
    private final class SinkBox: @unchecked Sendable {
        let sink: RollupFileSink
        init(_ sink: RollupFileSink) { self.sink = sink }
    }

    /// Something owned by one thread (unchecked: the point is to misuse it).
    private final class Owned: @unchecked Sendable {
        var owner = OwningThread()
        func use() { owner.check() }
    }

    private func onThread(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread { body(); c.resume() }.start()
        }
    }
}
