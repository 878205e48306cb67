package dev.ovis.serve.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTests {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsABurstThenRefillsAtTheRate() {
        TokenBucket bucket = new TokenBucket(3, 1, 0);

        assertThat(bucket.tryTake(0)).isZero();
        assertThat(bucket.tryTake(0)).isZero();
        assertThat(bucket.tryTake(0)).isZero();
        long wait = bucket.tryTake(0);
        assertThat(wait).isEqualTo(SECOND);

        assertThat(bucket.tryTake(SECOND / 2)).isEqualTo(SECOND / 2);
        assertThat(bucket.tryTake(SECOND)).isZero();
    }

    @Test
    void neverHoldsMoreThanItsCapacity() {
        TokenBucket bucket = new TokenBucket(2, 10, 0);

        bucket.tryTake(100 * SECOND);
        bucket.tryTake(100 * SECOND);

        assertThat(bucket.tryTake(100 * SECOND)).isPositive();
    }
}
