package dev.ovis.serve.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.util.unit.DataSize;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The body-rate guard on virtual time: a trickle is cut after the grace, a fast body is not, nor a slow link. */
class BodyRateTests {

    private static final BodyRateProperties SETTINGS = new BodyRateProperties(true, DataSize.ofKilobytes(8),
            Duration.ofSeconds(10), Duration.ofMinutes(15));

    @Test
    void aBodyTricklingOneByteEverySecondIsCutWith408AfterTheGrace() {
        StepVerifier.withVirtualTime(() -> BodyRate.guard(every(Duration.ofSeconds(1), 1, 1000), SETTINGS))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(10))
                .expectNextCount(10)
                .thenAwait(Duration.ofSeconds(1))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApiException.class);
                    assertThat(((ApiException) error).code()).isEqualTo(ErrorCode.REQUEST_TIMEOUT);
                    assertThat(error.getMessage()).contains("bytes/s").contains("8192");
                })
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aSlowButSteadyLinkAboveTheMinimumIsNotCut() {
        // 16 KB a second for a minute: twice the minimum, far past the grace
        StepVerifier.withVirtualTime(() -> BodyRate.guard(every(Duration.ofSeconds(1), 16 * 1024, 60), SETTINGS))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(61))
                .expectNextCount(60)
                .verifyComplete();
    }

    @Test
    void aBodyThatIsNotDoneByTheDeadlineIsCutWhateverItsRate() {
        BodyRateProperties shortDeadline = new BodyRateProperties(true, DataSize.ofBytes(1), Duration.ofSeconds(1),
                Duration.ofSeconds(30));
        StepVerifier.withVirtualTime(() -> BodyRate.guard(every(Duration.ofSeconds(1), 1024, 100), shortDeadline))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(29))
                .expectNextCount(29)
                .thenAwait(Duration.ofSeconds(2))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(ApiException.class)
                        .hasMessageContaining("within 30 s"))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void aSmallBodyWithinTheGraceIsNeverCut() {
        StepVerifier.withVirtualTime(() -> BodyRate.guard(every(Duration.ofSeconds(3), 1, 3), SETTINGS))
                .expectSubscription()
                .thenAwait(Duration.ofSeconds(9))
                .expectNextCount(3)
                .verifyComplete();
    }

    private static Flux<DataBuffer> every(Duration interval, int bytes, int count) {
        return Flux.interval(interval).take(count)
                .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[bytes]));
    }
}
