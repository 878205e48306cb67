package dev.ovis.serve.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.DeadLetter;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.model.ModelInfo;
import org.junit.jupiter.api.Test;

/** Each topic has one name and one payload type, and a record's topic name finds its Topic again. */
class TopicsTests {

    @Test
    void namesAreTheVersionedWireNames() {
        // docs/asyncapi.yaml publishes these names: they never change within a version
        assertThat(Topics.requests(Stage.VIDEO).name()).isEqualTo("ovis.video.requests.v1");
        assertThat(Topics.requests(Stage.VISION).name()).isEqualTo("ovis.vision.requests.v1");
        assertThat(Topics.requests(Stage.LLM).name()).isEqualTo("ovis.llm.requests.v1");
        assertThat(Topics.requests(Stage.OCR).name()).isEqualTo("ovis.ocr.requests.v1");
        assertThat(Topics.JOB_EVENTS.name()).isEqualTo("ovis.job.events.v1");
        assertThat(Topics.CONTROL.name()).isEqualTo("ovis.control.v1");
        assertThat(Topics.DEAD_LETTERS.name()).isEqualTo("ovis.dead-letters.v1");
        assertThat(Topics.MODELS.name()).isEqualTo("ovis.models.v1");
        assertThat(Topics.stream("gw-7").name()).isEqualTo("ovis.stream.v1.gw-7");
        assertThat(Topics.BATCH_REQUESTS).isEqualTo("ovis.batch.requests.v1");
        assertThat(Topics.BATCH_RESULTS).isEqualTo("ovis.batch.results.v1");
    }

    @Test
    void eachTopicCarriesOnePayloadType() {
        assertThat(Topics.requests(Stage.LLM).payloadType()).isEqualTo(StageRequest.class);
        assertThat(Topics.JOB_EVENTS.payloadType()).isEqualTo(JobEvent.class);
        assertThat(Topics.CONTROL.payloadType()).isEqualTo(CancelRequest.class);
        assertThat(Topics.DEAD_LETTERS.payloadType()).isEqualTo(DeadLetter.class);
        assertThat(Topics.MODELS.payloadType()).isEqualTo(ModelInfo.class);
        assertThat(Topics.stream("gw-7").payloadType()).isEqualTo(StreamChunk.class);
    }

    @Test
    void aRecordsTopicNameFindsItsTopic() {
        for (Stage stage : Stage.values()) {
            assertThat(Topics.named(Topics.requests(stage).name())).contains(Topics.requests(stage));
            assertThat(Topics.stageOfRequests(Topics.requests(stage).name())).contains(stage);
        }
        assertThat(Topics.named("ovis.job.events.v1")).contains(Topics.JOB_EVENTS);
        assertThat(Topics.named("ovis.control.v1")).contains(Topics.CONTROL);
        assertThat(Topics.named("ovis.dead-letters.v1")).contains(Topics.DEAD_LETTERS);
        assertThat(Topics.named("ovis.models.v1")).contains(Topics.MODELS);
        assertThat(Topics.named("ovis.stream.v1.gw-7")).contains(Topics.stream("gw-7"));
        assertThat(Topics.stageOfRequests(Topics.JOB_EVENTS.name())).isEmpty();
    }

    @Test
    void batchTopicsAndForeignNamesAreNoEnvelopeTopic() {
        assertThat(Topics.named(Topics.BATCH_REQUESTS)).isEmpty();
        assertThat(Topics.named(Topics.BATCH_RESULTS)).isEmpty();
        assertThat(Topics.named("other")).isEmpty();
        assertThat(Topics.named("ovis.stream.v1.")).isEmpty();
        assertThat(Topics.named(null)).isEmpty();
    }

    @Test
    void aStreamTopicNeedsAPlainInstanceId() {
        assertThatThrownBy(() -> Topics.stream("gw 7")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topics.stream(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Topic<>("no spaces", JobEvent.class)).isInstanceOf(IllegalArgumentException.class);
    }
}
