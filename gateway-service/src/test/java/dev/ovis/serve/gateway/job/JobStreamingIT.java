package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.job.Stage;
import dev.ovis.serve.gateway.GatewayIntegrationTest;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The Java API chat builds on: a job submitted with this instance as replyTo streams its chunks back. */
class JobStreamingIT extends GatewayIntegrationTest {

    @Autowired
    JobService jobs;
    @Autowired
    EnvelopePublisher publisher;

    @Test
    void chunksSentBeforeAnyoneListensAreBufferedAndComeOnceInOrderUntilTheLast() {
        ChatTask task = new ChatTask("ovis2-tiny", List.of(new ChatMessage(Role.USER, List.of(ContentPart.text("hi")))),
                SamplingParams.REFERENCE, true);
        Submission submission = jobs.submit("tenant-a", JobPayload.of(task), new Route(List.of(Stage.LLM)), null,
                jobs.instanceId()).block(WAIT);
        assertThat(submission.created()).isTrue();
        assertThat(submission.job().replyTo()).isEqualTo("gateway-it");
        String jobId = submission.job().id();

        // the stage streams (one chunk redelivered) before the client subscribes
        Topic<StreamChunk> topic = Topics.stream(jobs.instanceId());
        chunk(topic, new StreamChunk(jobId, 0, "Hel", null, false, null, null, null));
        chunk(topic, new StreamChunk(jobId, 1, "lo", null, false, null, null, null));
        chunk(topic, new StreamChunk(jobId, 1, "lo", null, false, null, null, null));
        chunk(topic, new StreamChunk(jobId, 2, "!", null, true, FinishReason.STOP, new Usage(3, 3), null));

        List<StreamChunk> received = jobs.chunks(jobId).collectList().block(WAIT);

        assertThat(received).extracting(StreamChunk::seq).containsExactly(0L, 1L, 2L);
        assertThat(received).extracting(StreamChunk::text).containsExactly("Hel", "lo", "!");
        assertThat(received.getLast().finishReason()).isEqualTo(FinishReason.STOP);
    }

    private void chunk(Topic<StreamChunk> topic, StreamChunk chunk) {
        publisher.publish(topic, Envelope.withId(chunk.jobId() + ":chunk:" + chunk.seq(), EventTypes.STREAM_CHUNK,
                "test-llm", chunk.jobId(), chunk));
    }
}
