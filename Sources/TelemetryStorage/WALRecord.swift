/// One write-ahead-log record as `WriteAheadLog.read` hands it back: one accepted MQTT
/// message with the log sequence number it was given.
///
/// `topic` and `payload` point into the reader's buffer and are valid only during the callback
/// that receives the record; copy what must outlive it.
///
/// Threading: a view; use it on the calling thread, inside the callback.
package struct WALRecord {
    /// The log sequence number: consecutive across the log.
    package let lsn: UInt64
    /// When the daemon accepted the message, Unix milliseconds.
    package let arrivalMs: Int64
    /// Which broker connection the message came from.
    package let connection: UInt16
    /// The MQTT message id, as libmosquitto reported it.
    package let mid: Int32
    package let topic: UnsafeRawBufferPointer
    package let payload: UnsafeRawBufferPointer
}
