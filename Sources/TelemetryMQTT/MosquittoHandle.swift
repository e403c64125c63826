/// The libmosquitto handle (`struct mosquitto *`) as a value that may cross threads.
///
/// Sound because `MQTTClient` keeps it in a `Mutex` and only uses it while alive: `publish`
/// and `setLogLevel` hold that lock while calling libmosquitto, and `stop()` destroys the
/// handle under the same lock (see `MQTTClient`'s "Why @unchecked Sendable" notes).
struct MosquittoHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}
