package dev.ovis.serve.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.gateway.GatewayIntegrationTest;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Two gateway instances' limiters on the one PostgreSQL draw on one bucket per tenant; tokens taken
 * ahead and held by one instance come out of that bucket too.
 */
class SharedRateLimitsIT extends GatewayIntegrationTest {

    private static final long SECOND = 1_000_000_000L;

    @Autowired
    DataSource dataSource;

    @Test
    void twoInstancesShareATenantsBurstAndNamesTheWait() {
        // given two instances with a burst of 3 and one request a minute
        RateLimitProperties limits = new RateLimitProperties(true, 1, 3, 5);
        SharedRateLimits a = new SharedRateLimits(dataSource, limits);
        SharedRateLimits b = new SharedRateLimits(dataSource, limits);
        String tenant = "tenant-" + UUID.randomUUID();

        // when the tenant's requests alternate between them
        assertThat(a.tryTake(tenant)).isZero();
        assertThat(b.tryTake(tenant)).isZero();
        assertThat(a.tryTake(tenant)).isZero();

        // then the fourth is refused on either, with a wait of up to a minute (one token a minute)
        assertThat(b.tryTake(tenant)).isBetween(SECOND, 60 * SECOND);
        assertThat(a.tryTake(tenant)).isBetween(SECOND, 60 * SECOND);
        // and another tenant has its own bucket
        assertThat(b.tryTake("other-" + tenant)).isZero();
    }

    @Test
    void aLargeBurstIsTakenAFewTokensAtATimeAndTheInstancesTogetherStillGetExactlyTheBurst() {
        // given two instances with a burst of 100 (five tokens a take) and one request a minute
        RateLimitProperties limits = new RateLimitProperties(true, 1, 100, 5);
        assertThat(limits.tokensPerTakeFor()).isEqualTo(5);
        SharedRateLimits a = new SharedRateLimits(dataSource, limits);
        SharedRateLimits b = new SharedRateLimits(dataSource, limits);
        String tenant = "tenant-" + UUID.randomUUID();

        // when a takes once: it holds four more, spent without the database
        assertThat(a.trySpendHeld(tenant)).as("nothing held before the first take").isFalse();
        assertThat(a.tryTake(tenant)).isZero();
        for (int i = 0; i < 4; i++) {
            assertThat(a.trySpendHeld(tenant)).isTrue();
        }
        assertThat(a.trySpendHeld(tenant)).isFalse();

        // then b gets the 95 left (the last take gives what remains), and nobody gets a 101st
        int onB = 0;
        while (b.trySpendHeld(tenant) || b.tryTake(tenant) == 0) {
            onB++;
            assertThat(onB).isLessThanOrEqualTo(100);
        }
        assertThat(onB).isEqualTo(95);
        assertThat(a.tryTake(tenant)).isBetween(SECOND, 60 * SECOND);
        assertThat(b.trySpendHeld(tenant)).isFalse();
    }

    @Test
    void aSmallBurstIsTakenOneTokenAtATime() {
        assertThat(new RateLimitProperties(true, 600, 39, 5).tokensPerTakeFor()).isEqualTo(1);
        assertThat(new RateLimitProperties(true, 600, 40, 5).tokensPerTakeFor()).isEqualTo(2);
        assertThat(new RateLimitProperties(true, 600, 10_000, 5).tokensPerTakeFor()).isEqualTo(5);
        assertThat(new RateLimitProperties(true, 600, 10_000, 1).tokensPerTakeFor()).isEqualTo(1);
    }

    @Test
    void changedLimitsReplaceTheStoredOnes() {
        String tenant = "tenant-" + UUID.randomUUID();
        SharedRateLimits strict = new SharedRateLimits(dataSource, new RateLimitProperties(true, 1, 1, 5));
        assertThat(strict.tryTake(tenant)).isZero();
        assertThat(strict.tryTake(tenant)).isBetween(SECOND, 60 * SECOND);

        // an instance configured with another rate (a rolling change) replaces the stored limit: the
        // empty bucket now refills at 100 a second (its tokens carry over in proportion: none)
        SharedRateLimits generous = new SharedRateLimits(dataSource, new RateLimitProperties(true, 6000, 1000, 1));
        assertThat(generous.tryTake(tenant)).isLessThan(SECOND);
    }
}
