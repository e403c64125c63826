/// Which already registered device a message came from, judged by its topic alone: for
/// counting a rejected message against its device without decoding its payload.
///
/// The topic is matched as ``MessageDecoder`` matches it (the first template that matches
/// wins); the device is known when that template takes both `{site}` and `{device}` from the
/// topic, both are valid tags (``TagRules``), and the ``SeriesRegistry`` already holds that
/// device. Nothing is registered: a message from a device never accepted before — or with tags
/// made up by whoever sends it — is not attributed, so rejected traffic cannot grow the device
/// table. Influx templates that take site or device from the line's tags are not attributed.
///
/// Not for the hot path: it builds two `String`s and takes the registry's lock; the producer
/// calls it only for a rejected message.
///
/// Threading: an immutable value; the registry is thread-safe, so any thread may call it.
package struct TopicDeviceLookup: Sendable {
    package let templates: [TopicTemplate]
    package let registry: SeriesRegistry

    package init(templates: [TopicTemplate], registry: SeriesRegistry) {
        self.templates = templates
        self.registry = registry
    }

    /// The registered device `topic` names, or `nil` (see the type's rules).
    package func device(ofTopic topic: UnsafeRawBufferPointer) -> DeviceID? {
        guard UTF8Validation.isValid(topic) else { return nil }
        guard let match = templates.lazy.compactMap({ $0.match(topic) }).first,
              match.hasSite, match.hasDevice else { return nil }
        let site = UnsafeRawBufferPointer(rebasing: topic[match.site])
        let device = UnsafeRawBufferPointer(rebasing: topic[match.device])
        guard TagRules.isValid(site), TagRules.isValid(device) else { return nil }
        return registry.deviceID(
            site: String(decoding: site, as: UTF8.self), device: String(decoding: device, as: UTF8.self))
    }
}
