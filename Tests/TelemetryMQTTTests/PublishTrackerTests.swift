import Testing

@testable import TelemetryMQTT

/// `PublishTracker`: which published messages are still waiting for libmosquitto.
@Suite struct PublishTrackerTests {
    @Test func qos1MessageIsInFlightUntilAcknowledged() {
        var tracker = PublishTracker()
        tracker.handedOver(messageID: 1, qos: .atLeastOnce)
        #expect(tracker.inFlightCount == 1)
        _ = tracker.completed(messageID: 1)
        #expect(tracker.inFlightCount == 0)
    }

    @Test func ackArrivingBeforePublishReturnedIsNotCountedInFlight() {
        var tracker = PublishTracker()
        _ = tracker.completed(messageID: 3)  // the network thread was faster than publish()
        tracker.handedOver(messageID: 3, qos: .exactlyOnce)
        #expect(tracker.inFlightCount == 0)
    }

    @Test func qos0MessagesAreNeverInFlight() {
        var tracker = PublishTracker()
        tracker.handedOver(messageID: 4, qos: .atMostOnce)
        #expect(tracker.inFlightCount == 0)
    }

    @Test func qos1MessagesStayInFlightAcrossALostConnection() {
        var tracker = PublishTracker()
        tracker.handedOver(messageID: 5, qos: .atLeastOnce)
        tracker.connectionLost()
        #expect(tracker.inFlightCount == 1)
    }

    @Test func reportOfAQoS0MessageForgottenAtDisconnectIsNotMistakenForAFutureAck() {
        var tracker = PublishTracker()
        tracker.handedOver(messageID: 6, qos: .atMostOnce)
        _ = tracker.completed(messageID: 6)
        tracker.handedOver(messageID: 6, qos: .atLeastOnce)  // message ids are reused
        #expect(tracker.inFlightCount == 1)
    }

    @Test func waiterIsNotRegisteredWhenNothingIsInFlight() {
        var tracker = PublishTracker()
        let pending = tracker.wakeWhenNothingInFlight(Wakeup())
        #expect(pending == 0)
        #expect(tracker.waiterCount == 0)
    }

    @Test func lastAcknowledgementReleasesTheWaiters() {
        var tracker = PublishTracker()
        tracker.handedOver(messageID: 1, qos: .atLeastOnce)
        tracker.handedOver(messageID: 2, qos: .exactlyOnce)
        let wakeup = Wakeup()
        #expect(tracker.wakeWhenNothingInFlight(wakeup) == 2)
        let afterFirst = tracker.completed(messageID: 1)
        #expect(afterFirst.isEmpty)
        let afterLast = tracker.completed(messageID: 2)
        #expect(afterLast.count == 1 && afterLast.first === wakeup)
        #expect(tracker.waiterCount == 0)
    }

    @Test func qos0WriteReleasesNoWaiter() {
        var tracker = PublishTracker()
        tracker.handedOver(messageID: 1, qos: .atLeastOnce)
        tracker.handedOver(messageID: 2, qos: .atMostOnce)
        _ = tracker.wakeWhenNothingInFlight(Wakeup())
        let released = tracker.completed(messageID: 2)
        #expect(released.isEmpty)
        #expect(tracker.waiterCount == 1)
    }

    @Test func forgottenWaiterIsNotReleased() {
        var tracker = PublishTracker()
        tracker.handedOver(messageID: 1, qos: .atLeastOnce)
        let wakeup = Wakeup()
        _ = tracker.wakeWhenNothingInFlight(wakeup)
        tracker.forget(wakeup)
        let released = tracker.completed(messageID: 1)
        #expect(released.isEmpty)
    }
}
