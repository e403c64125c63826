import Testing

@testable import TelemetryMQTT

/// `PublishTracker`: which published messages are still waiting for libmosquitto.
@Suite struct PublishTrackerTests {
    @Test func qos1MessageIsInFlightUntilAcknowledged() {
        var tracker = PublishTracker()
        tracker.handedOver(messageID: 1, qos: .atLeastOnce)
        #expect(tracker.inFlightCount == 1)
        tracker.completed(messageID: 1)
        #expect(tracker.inFlightCount == 0)
    }

    @Test func ackArrivingBeforePublishReturnedIsNotCountedInFlight() {
        var tracker = PublishTracker()
        tracker.completed(messageID: 3)  // the network thread was faster than publish()
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
        tracker.completed(messageID: 6)
        tracker.handedOver(messageID: 6, qos: .atLeastOnce)  // message ids are reused
        #expect(tracker.inFlightCount == 1)
    }
}
