package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/** What a sink does when its listener does not keep up. */
class JobSinksTests {

    @Test
    void aSubscriberThatDoesNotKeepUpGetsAClearErrorInsteadOfLosingChunks() {
        // given a subscriber that asks for nothing yet (a client reading slowly)
        JobSinks<Integer> chunks = new JobSinks<>(true);
        List<Integer> received = new ArrayList<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        BaseSubscriber<Integer> slow = new BaseSubscriber<>() {
            @Override
            protected void hookOnSubscribe(Subscription subscription) {
            }

            @Override
            protected void hookOnNext(Integer value) {
                received.add(value);
            }

            @Override
            protected void hookOnError(Throwable throwable) {
                error.set(throwable);
            }
        };
        chunks.subscribe("job-3").subscribe(slow);

        // when more chunks come than the buffer holds
        for (int i = 0; i < JobSinks.BUFFER + 10; i++) {
            chunks.emit("job-3", i);
        }
        slow.request(Long.MAX_VALUE);

        // then it is told why its stream ends
        assertThat(error.get()).isInstanceOf(JobSinks.SlowConsumerException.class).hasMessageContaining("too slowly");
        assertThat(received.size()).isLessThanOrEqualTo(JobSinks.BUFFER);
    }

    @Test
    void streamChunksPastAFullBufferEndTheStreamWithAClearErrorInsteadOfVanishing() {
        // given an opened sink of stream chunks nobody reads yet
        JobSinks<Integer> chunks = new JobSinks<>(true);
        chunks.open("job-1", Duration.ofMinutes(1));

        // when more chunks come than the buffer holds
        for (int i = 0; i < JobSinks.BUFFER + 10; i++) {
            chunks.emit("job-1", i);
        }

        // then the reader learns it fell behind, with the reason, rather than waiting for chunks that were dropped
        List<Integer> received = new ArrayList<>();
        AtomicReference<Throwable> error = new AtomicReference<>();
        chunks.subscribe("job-1").doOnNext(received::add).doOnError(error::set).onErrorComplete()
                .blockLast(Duration.ofSeconds(5));
        assertThat(error.get()).isInstanceOf(JobSinks.SlowConsumerException.class)
                .hasMessageContaining("too slowly").hasMessageContaining("cancelled");
        assertThat(received.size()).isLessThanOrEqualTo(JobSinks.BUFFER);
    }

    @Test
    void jobUpdatesPastAFullBufferAreDroppedBecauseTheRowIsReReadAnyway() {
        JobSinks<Integer> updates = new JobSinks<>();
        updates.open("job-2", Duration.ofMinutes(1));
        for (int i = 0; i < JobSinks.BUFFER + 10; i++) {
            updates.emit("job-2", i);
        }
        List<Integer> received = updates.subscribe("job-2").take(Duration.ofMillis(300)).collectList().block(Duration.ofSeconds(5));
        assertThat(received).hasSize(JobSinks.BUFFER).startsWith(0, 1, 2);
    }
}
