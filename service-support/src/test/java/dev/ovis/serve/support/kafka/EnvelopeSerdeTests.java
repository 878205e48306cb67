package dev.ovis.serve.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.chat.TokenLogprob;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.chat.VisualEmbeddings;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.CancelRequest;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.JobResult;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.common.job.Priority;
import dev.ovis.serve.common.job.StageRequest;
import dev.ovis.serve.common.layout.ImageLayout;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.ocr.OcrBlock;
import dev.ovis.serve.common.ocr.OcrLine;
import dev.ovis.serve.common.ocr.OcrResult;
import dev.ovis.serve.common.ocr.OcrTask;
import dev.ovis.serve.common.ocr.Point;
import dev.ovis.serve.common.video.Keyframe;
import dev.ovis.serve.common.video.KeyframeResult;
import dev.ovis.serve.common.video.KeyframeTask;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class EnvelopeSerdeTests {

    static final MediaRef IMAGE = new MediaRef("ovis-media", "t1/ab.png", "image/png", "a".repeat(64), 1234);

    private final EnvelopeJson json = new EnvelopeJson();
    private final EnvelopeSerializer serializer = new EnvelopeSerializer(json);

    static StageRequest chatRequest() {
        VisualEmbeddings visual = new VisualEmbeddings(
                new MediaRef("ovis-media", "emb/x.bin", "application/octet-stream", "b".repeat(64), 99),
                "tiny-ovis2", new ImageLayout(2, 3), 64, "float32");
        ChatTask chat = new ChatTask("tiny-ovis2", List.of(
                new ChatMessage(Role.SYSTEM, List.of(ContentPart.text("be brief"))),
                new ChatMessage(Role.USER, List.of(ContentPart.image(IMAGE, 9).withVisual(visual),
                        ContentPart.text("what is this?")))),
                SamplingParams.REFERENCE, true);
        return new StageRequest("job-1", "tenant-a", new Route(List.of(Stage.VISION, Stage.LLM)), Stage.VISION, "gw-1", JobPayload.of(chat));
    }

    private <T> Envelope<T> roundTrip(Envelope<T> envelope, Topic<T> topic) {
        byte[] bytes = serializer.serialize(topic.name(), envelope);
        return new EnvelopeDeserializer<>(json, topic).deserialize(topic.name(), bytes);
    }

    @Test
    void stageRequestsSurviveTheRoundTrip() {
        // given a chat request with an image, its visual embeddings and sampling settings
        Envelope<StageRequest> sent = Envelope.withId("job-1:vision", EventTypes.STAGE_REQUEST, "gateway", "job-1", chatRequest());

        // when / then
        assertThat(roundTrip(sent, Topics.VISION_REQUESTS)).isEqualTo(sent);
    }

    @Test
    void ocrAndKeyframeRequestsSurviveTheRoundTrip() {
        StageRequest ocr = new StageRequest("job-2", "t", new Route(List.of(Stage.OCR)), Stage.OCR, null,
                JobPayload.of(new OcrTask(IMAGE, List.of("eng", "chi_sim"), "paddle")));
        StageRequest keyframes = new StageRequest("job-3", "t", new Route(List.of(Stage.VIDEO)), Stage.VIDEO, null,
                JobPayload.of(new KeyframeTask(IMAGE, "what happens?", 8, null)));

        for (StageRequest request : List.of(ocr, keyframes)) {
            Envelope<StageRequest> sent = Envelope.of(EventTypes.STAGE_REQUEST, "gateway", request.jobId(), request);
            assertThat(roundTrip(sent, Topics.requests(request.stage()))).isEqualTo(sent);
        }
    }

    @Test
    void aBatchPriorityTravelsAndForwardsAndAnAbsentOneIsInteractive() {
        // given a batch request (a batch line's job) and the same request as JSON written before the field
        StageRequest batch = new StageRequest("job-4", "t", new Route(List.of(Stage.OCR)), Stage.OCR, null,
                JobPayload.of(new OcrTask(IMAGE, List.of("eng"), null)), 1, Priority.BATCH);
        Envelope<StageRequest> sent = Envelope.of(EventTypes.STAGE_REQUEST, "gateway", "job-4", batch);
        String old = new String(serializer.serialize(Topics.OCR_REQUESTS.name(), sent), StandardCharsets.UTF_8)
                .replace(",\"priority\":\"BATCH\"", "");

        // when / then: the priority survives the round trip, forwarding and a redispatch
        assertThat(roundTrip(sent, Topics.OCR_REQUESTS).data().priority()).isEqualTo(Priority.BATCH);
        assertThat(chatRequest().forward(Stage.LLM, chatRequest().payload()).priority()).isEqualTo(Priority.INTERACTIVE);
        assertThat(batch.redispatch(2).priority()).isEqualTo(Priority.BATCH);
        // and a request without the field is interactive
        assertThat(old).doesNotContain("priority");
        assertThat(new EnvelopeDeserializer<>(json, Topics.OCR_REQUESTS)
                .deserialize(Topics.OCR_REQUESTS.name(), old.getBytes(StandardCharsets.UTF_8)).data().priority())
                .isEqualTo(Priority.INTERACTIVE);
    }

    @Test
    void jobEventsWithResultsAndFailuresSurviveTheRoundTrip() {
        List<JobEvent> events = List.of(
                JobEvent.started("j", Stage.LLM),
                JobEvent.progress("j", Stage.LLM, 0.5, "decoding 12/24"),
                JobEvent.succeeded("j", Stage.LLM, JobResult.of(new ChatResult("tiny", "a cat", FinishReason.STOP,
                        new Usage(10, 2), List.of(new TokenLogprob("a", 64, -0.1))))),
                JobEvent.succeeded("j", Stage.OCR, JobResult.of(new OcrResult(10, 20, List.of(new OcrBlock(List.of(
                        new OcrLine("hi", 0.9, List.of(new Point(0, 0), new Point(1, 0), new Point(1, 1), new Point(0, 1)), "paddle", "eng")))), "hi"))),
                JobEvent.succeeded("j", Stage.VIDEO, JobResult.of(new KeyframeResult("clip", 30, 12.5,
                        List.of(new Keyframe(3, 1.5, IMAGE))))),
                JobEvent.failed("j", Stage.VISION, new Failure(ErrorCode.CORRUPT_MEDIA, "image 1: truncated PNG")),
                JobEvent.cancelled("j", Stage.LLM));

        for (JobEvent event : events) {
            Envelope<JobEvent> sent = Envelope.of(EventTypes.JOB_PROGRESS, "llm-service", "j", event);
            assertThat(roundTrip(sent, Topics.JOB_EVENTS)).isEqualTo(sent);
        }
    }

    @Test
    void streamChunksAndCancelRequestsSurviveTheRoundTrip() {
        Envelope<StreamChunk> chunk = Envelope.of(EventTypes.STREAM_CHUNK, "llm-service", "j",
                new StreamChunk("j", 3, "héllo", List.of(), true, FinishReason.LENGTH, new Usage(1, 2), null));
        Envelope<CancelRequest> cancel = Envelope.of(EventTypes.CANCEL, "gateway", "j", new CancelRequest("j", "client left"));

        assertThat(roundTrip(chunk, Topics.stream("gw-1"))).isEqualTo(chunk);
        assertThat(roundTrip(cancel, Topics.CONTROL)).isEqualTo(cancel);
    }

    @Test
    void unknownFieldsAreIgnoredSoEvolutionStaysAdditive() {
        String text = """
                {"id":"m1","type":"ovis.control.cancel","source":"gateway","subject":"j","time":"2026-11-26T07:00:00Z",
                 "newField":{"x":1},"data":{"jobId":"j","reason":"r","severity":"high"}}""";

        Envelope<CancelRequest> read = new EnvelopeDeserializer<>(json, Topics.CONTROL)
                .deserialize(Topics.CONTROL.name(), text.getBytes(StandardCharsets.UTF_8));

        assertThat(read.data()).isEqualTo(new CancelRequest("j", "r"));
    }

    @Test
    void nullsAreLeftOutOfTheWireFormat() {
        byte[] bytes = serializer.serialize(Topics.JOB_EVENTS.name(), Envelope.of(EventTypes.JOB_STARTED, "s", "j",
                JobEvent.started("j", Stage.LLM)));

        assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("null").doesNotContain("\"result\"");
    }

    @Test
    void unreadableRecordsAreRefusedWithTheReason() {
        EnvelopeDeserializer<JobEvent> deserializer = new EnvelopeDeserializer<>(json, Topics.JOB_EVENTS);

        assertThatThrownBy(() -> deserializer.deserialize(Topics.JOB_EVENTS.name(), "not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("Envelope<JobEvent>");
        assertThatThrownBy(() -> deserializer.deserialize(Topics.JOB_EVENTS.name(), null))
                .isInstanceOf(SerializationException.class).hasMessageContaining("no value");
        // well-formed JSON that breaks a contract rule: a SUCCEEDED event without a result
        String broken = """
                {"id":"m1","type":"t","source":"s","subject":"j","time":"2026-11-26T07:00:00Z",
                 "data":{"jobId":"j","stage":"LLM","status":"SUCCEEDED"}}""";
        assertThatThrownBy(() -> deserializer.deserialize(Topics.JOB_EVENTS.name(), broken.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("needs a result");
        // an envelope without data
        String empty = """
                {"id":"m1","type":"t","source":"s","subject":"j","time":"2026-11-26T07:00:00Z"}""";
        assertThatThrownBy(() -> deserializer.deserialize(Topics.JOB_EVENTS.name(), empty.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("data");
    }
}
