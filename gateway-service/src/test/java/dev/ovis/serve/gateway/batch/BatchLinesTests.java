package dev.ovis.serve.gateway.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.error.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class BatchLinesTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final BatchLines lines = new BatchLines(JSON);

    @Test
    void aRefusedRequestHasTheEndpointsStatusAndAnOpenAiErrorBody() {
        ObjectNode line = lines.httpError(BatchLines.key("batch_1", 3), "c-3", "req-3", ErrorCode.INVALID_REQUEST, "'n' must be 1");

        assertThat(line.propertyNames()).containsExactly("id", "custom_id", "response", "error");
        assertThat(line.get("custom_id").asString()).isEqualTo("c-3");
        assertThat(line.get("response").get("status_code").asInt()).isEqualTo(400);
        assertThat(line.get("response").get("request_id").asString()).isEqualTo("req-3");
        assertThat(line.get("response").get("body").get("error").get("message").asString()).isEqualTo("'n' must be 1");
        assertThat(line.get("response").get("body").get("error").get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(line.get("error").isNull()).isTrue();
    }

    @Test
    void aRequestThatNeverRanHasNoResponseAndAnErrorCode() {
        ObjectNode line = lines.notRun(BatchLines.key("batch_1", 4), "c-4", "batch_expired", "too late");

        assertThat(line.get("response").isNull()).isTrue();
        assertThat(line.get("error").get("code").asString()).isEqualTo("batch_expired");
        assertThat(line.get("error").get("message").asString()).isEqualTo("too late");
    }

    @Test
    void lineIdsAreStablePerLineAndDifferBetweenLines() {
        String first = lines.notRun(BatchLines.key("batch_1", 1), "a", "x", "y").get("id").asString();
        String again = lines.httpError(BatchLines.key("batch_1", 1), "a", "r", ErrorCode.NOT_FOUND, "gone").get("id").asString();
        String other = lines.notRun(BatchLines.key("batch_1", 2), "b", "x", "y").get("id").asString();

        assertThat(first).startsWith("batch_req_").hasSize("batch_req_".length() + 32).isEqualTo(again).isNotEqualTo(other);
        assertThat(BatchLines.requestId(BatchLines.key("batch_1", 1))).isEqualTo(BatchLines.requestId(BatchLines.key("batch_1", 1)));
    }

    @Test
    void aTenantMayReplyOnTheDefaultItsOwnAndItsConfiguredTopicsOnly() {
        PipelineListener listener = new PipelineListener(null, null, null,
                new PipelineProperties(true, Map.of("acme", List.of("acme.results")), 3, 200), JSON);

        assertThat(listener.allowed("acme", "ovis.batch.results.v1")).isTrue();
        assertThat(listener.allowed("acme", "ovis.batch.results.v1.acme")).isTrue();
        assertThat(listener.allowed("acme", "acme.results")).isTrue();
        assertThat(listener.allowed("acme", "ovis.batch.results.v1.other")).isFalse();
        assertThat(listener.allowed("other", "acme.results")).isFalse();
        assertThat(listener.allowed("acme", Topics.JOB_EVENTS.name())).isFalse();
        assertThat(listener.allowed("acme", "bad topic!")).isFalse();
    }
}
