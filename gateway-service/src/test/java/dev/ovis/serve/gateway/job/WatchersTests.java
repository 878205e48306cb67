package dev.ovis.serve.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

class WatchersTests {

    private final Watchers watchers = new Watchers(2, Duration.ofSeconds(5));

    @Test
    void aTenantAtItsLimitOfOpenStreamsGets429UntilOneCloses() {
        // given two open streams of tenant a
        Disposable first = watchers.limit("a", Flux.never()).subscribe();
        Disposable second = watchers.limit("a", Flux.never()).subscribe();

        // when a third is opened, then it is refused with Retry-After, and another tenant is not affected
        AtomicReference<Throwable> refused = new AtomicReference<>();
        watchers.limit("a", Flux.never()).subscribe(x -> { }, refused::set);
        assertThat(refused.get()).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(e.headers()).containsEntry("Retry-After", "5");
        });
        assertThat(watchers.open("a")).isEqualTo(2);
        Disposable other = watchers.limit("b", Flux.never()).subscribe();
        assertThat(watchers.open("b")).isEqualTo(1);

        // when one closes (the client went away), a new one is accepted
        first.dispose();
        assertThat(watchers.open("a")).isEqualTo(1);
        AtomicReference<Throwable> accepted = new AtomicReference<>();
        Disposable third = watchers.limit("a", Flux.never()).subscribe(x -> { }, accepted::set);
        assertThat(accepted.get()).isNull();
        assertThat(watchers.open("a")).isEqualTo(2);

        // and a stream that ends by itself frees its place too
        second.dispose();
        third.dispose();
        other.dispose();
        watchers.limit("a", Flux.just(1, 2)).blockLast();
        assertThat(watchers.open("a")).isZero();
    }
}
