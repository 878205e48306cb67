package dev.ovis.serve.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.gateway.GatewayIntegrationTest;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Two gateway instances' limiters on the one PostgreSQL draw on one bucket per tenant. */
class SharedRateLimitsIT extends GatewayIntegrationTest {

    private static final long SECOND = 1_000_000_000L;

    @Autowired
    DataSource dataSource;

    @Test
    void twoInstancesShareATenantsBurstAndNamesTheWait() {
        // given two instances with a burst of 3 and one request a minute
        RateLimitProperties limits = new RateLimitProperties(true, 1, 3);
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
    void changedLimitsReplaceTheStoredOnes() {
        String tenant = "tenant-" + UUID.randomUUID();
        SharedRateLimits strict = new SharedRateLimits(dataSource, new RateLimitProperties(true, 1, 1));
        assertThat(strict.tryTake(tenant)).isZero();
        assertThat(strict.tryTake(tenant)).isPositive();

        // an instance configured with a larger burst (a rolling upgrade) replaces the stored limit
        SharedRateLimits generous = new SharedRateLimits(dataSource, new RateLimitProperties(true, 6000, 1000));
        assertThat(generous.tryTake(tenant)).isZero();
    }
}
