package dev.ovis.serve.support.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobEvent;
import dev.ovis.serve.common.job.JobStatus;
import dev.ovis.serve.common.job.Stage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.serializer.DeserializationException;

class UnreadableRecordRecovererTests {

    private final List<Envelope<?>> published = new ArrayList<>();
    private final UnreadableRecordRecoverer recoverer = new UnreadableRecordRecoverer(new EnvelopePublisher() {
        @Override
        public <T> void publish(Topic<T> topic, Envelope<T> envelope) {
            assertThat(topic).isEqualTo(Topics.JOB_EVENTS);
            published.add(envelope);
        }

        @Override
        public <T> CompletableFuture<Void> publishAsync(Topic<T> topic, Envelope<T> envelope) {
            publish(topic, envelope);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> publishSerializedAsync(String topic, String key, byte[] value) {
            throw new UnsupportedOperationException("the recoverer publishes envelopes");
        }
    }, new EnvelopeJson(), "test");

    private void recover(String topic, String key, String value) {
        byte[] data = value.getBytes(StandardCharsets.UTF_8);
        recoverer.accept(new ConsumerRecord<>(topic, 3, 42L, key, null),
                new DeserializationException("unreadable", data, false, new IllegalArgumentException("bad JSON")));
    }

    @Test
    void anUnreadableRequestFailsItsJobAsInvalid() {
        recover(Topics.OCR_REQUESTS.name(), "job-9", "{oops");

        assertThat(published).singleElement().satisfies(envelope -> {
            assertThat(envelope.id()).isEqualTo("job-9:ocr:failed");
            JobEvent event = (JobEvent) envelope.data();
            assertThat(event.stage()).isEqualTo(Stage.OCR);
            assertThat(event.failure().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(event.failure().detail()).contains(Topics.OCR_REQUESTS.name() + "-3@42", "bad JSON");
        });
    }

    @Test
    void anUnreadableRecordWithoutAJobIdIsOnlyLogged() {
        recover(Topics.OCR_REQUESTS.name(), null, "{oops");
        recover(Topics.OCR_REQUESTS.name(), " ", "{oops");

        assertThat(published).isEmpty();
    }

    @Test
    void anUnreadableTerminalEventFailsTheJobButAnUnreadableProgressEventDoesNot() {
        recover(Topics.JOB_EVENTS.name(), "job-1", """
                {"id":"x","data":{"jobId":"job-1","stage":"LLM","status":"SUCCEEDED","result":{"chat":{"text":7}}}}""");
        recover(Topics.JOB_EVENTS.name(), "job-2", """
                {"id":"y","data":{"jobId":"job-2","stage":"LLM","status":"RUNNING","progress":"lots"}}""");

        assertThat(published).singleElement().satisfies(envelope -> {
            JobEvent event = (JobEvent) envelope.data();
            assertThat(event.jobId()).isEqualTo("job-1");
            assertThat(event.status()).isEqualTo(JobStatus.FAILED);
            assertThat(event.failure().code()).isEqualTo(ErrorCode.INTERNAL);
        });
    }

    @Test
    void unreadableChunksAndCancellationsAreOnlyLogged() {
        recover(Topics.stream("gw").name(), "job-1", "{");
        recover(Topics.CONTROL.name(), "job-1", "{");

        assertThat(published).isEmpty();
    }
}
