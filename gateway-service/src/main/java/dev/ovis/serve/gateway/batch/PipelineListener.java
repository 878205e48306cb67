package dev.ovis.serve.gateway.batch;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.gateway.auth.ApiKeys;
import dev.ovis.serve.gateway.auth.Tenant;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.MessageListener;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Takes requests from {@code ovis.batch.requests.v1}: the header {@code authorization: Bearer <key>}
 * names the tenant, the optional header {@code reply-to} a result topic the tenant may use, the
 * value is one OpenAI batch input line. A valid request is recorded (once per tenant and
 * {@code custom_id}; a repeat is dropped, the first is answered) and the {@link PipelineRunner}
 * runs it; anything else is answered at once with an error line — never silence.
 */
class PipelineListener implements MessageListener<String, byte[]> {

    private static final Logger log = LoggerFactory.getLogger(PipelineListener.class);
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private final ApiKeys keys;
    private final PipelineRepository requests;
    private final PipelinePublisher publisher;
    private final PipelineProperties properties;
    private final BatchLines lines;
    private final JsonMapper json;

    PipelineListener(ApiKeys keys, PipelineRepository requests, PipelinePublisher publisher, PipelineProperties properties,
                     JsonMapper json) {
        this.keys = keys;
        this.requests = requests;
        this.publisher = publisher;
        this.properties = properties;
        this.lines = new BatchLines(json);
        this.json = json;
    }

    @Override
    public void onMessage(ConsumerRecord<String, byte[]> record) {
        JsonNode line = null;
        try {
            line = record.value() == null ? null : json.readTree(record.value());
        } catch (JacksonException e) {
            // answered below as not JSON
        }
        JsonNode customIdNode = line != null && line.isObject() ? line.get("custom_id") : null;
        String customId = customIdNode != null && customIdNode.isString() && !customIdNode.asString().isBlank()
                ? customIdNode.asString() : null;
        String replyKey = customId != null ? customId : record.key();

        Optional<Tenant> tenant = bearer(record).flatMap(keys::tenant);
        if (tenant.isEmpty()) {
            refuse(Topics.BATCH_RESULTS, replyKey, customId, "invalid_api_key",
                    "the header 'authorization: Bearer <API key>' is missing or names no key");
            return;
        }
        String replyTo = header(record, "reply-to").orElse(Topics.BATCH_RESULTS);
        if (!allowed(tenant.get().id(), replyTo)) {
            refuse(Topics.BATCH_RESULTS, replyKey, customId, "reply_topic_not_allowed",
                    "the reply-to topic '" + replyTo + "' is not allowed for this API key");
            return;
        }
        if (line == null || !line.isObject()) {
            refuse(replyTo, replyKey, null, "invalid_json_line", "the value must be one JSON object: an OpenAI batch input line");
            return;
        }
        if (customId == null || customId.length() > 512) {
            refuse(replyTo, replyKey, null, "missing_required_parameter", "'custom_id' must be a non-empty string of at most 512 characters");
            return;
        }
        JsonNode method = line.get("method");
        JsonNode url = line.get("url");
        JsonNode body = line.get("body");
        if (method == null || !method.isString() || !method.asString().equals("POST")) {
            refuse(replyTo, replyKey, customId, "invalid_value", "'method' must be \"POST\"");
            return;
        }
        if (url == null || !url.isString() || !BatchEndpoints.ALL.contains(url.asString())) {
            refuse(replyTo, replyKey, customId, "invalid_url", "'url' must be one of " + BatchEndpoints.ALL);
            return;
        }
        if (body == null || !body.isObject()) {
            refuse(replyTo, replyKey, customId, "missing_required_parameter", "'body' must be a JSON object");
            return;
        }
        if (!requests.insert(tenant.get().id(), customId, url.asString(), body, replyTo)) {
            log.debug("Pipeline request {} of tenant {} was sent before; it is answered once", customId, tenant.get().id());
        }
    }

    /** Whether {@code tenant} may have its results on {@code topic}. */
    boolean allowed(String tenant, String topic) {
        if (!TOPIC.matcher(topic).matches()) {
            return false;
        }
        return topic.equals(Topics.BATCH_RESULTS) || topic.equals(Topics.BATCH_RESULTS + "." + tenant)
                || properties.replyTopics().getOrDefault(tenant, java.util.List.of()).contains(topic);
    }

    private void refuse(String topic, String key, String customId, String code, String message) {
        String seed = "pipeline-refusal#" + UUID.randomUUID();
        publisher.send(topic, key, lines.notRun(seed, customId, code, message));
    }

    private static Optional<String> bearer(ConsumerRecord<String, byte[]> record) {
        return header(record, "authorization").filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim()).filter(key -> !key.isEmpty());
    }

    private static Optional<String> header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = null;
        for (Header candidate : record.headers()) {
            if (candidate.key().equalsIgnoreCase(name)) {
                header = candidate;
            }
        }
        return header == null || header.value() == null ? Optional.empty()
                : Optional.of(new String(header.value(), StandardCharsets.UTF_8).trim()).filter(v -> !v.isEmpty());
    }
}
