package dev.ovis.serve.gateway.limit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Each tenant's token bucket, kept in PostgreSQL (table {@code rate_limit_buckets}) by Bucket4j, so
 * every gateway instance draws on the same bucket: N instances do not give a tenant N times its
 * rate. A take is one short transaction ({@code select … for update}, then an update of the row).
 */
@Component
public class SharedRateLimits {

    private final ProxyManager<String> buckets;
    private final BucketConfiguration configuration;
    /** Identifies the configuration: an instance with other limits replaces the stored ones. */
    private final long version;

    public SharedRateLimits(DataSource dataSource, RateLimitProperties properties) {
        this.buckets = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table("rate_limit_buckets").idColumn("tenant").stateColumn("state")
                .build();
        this.configuration = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(properties.burst())
                        .refillGreedy(properties.requestsPerMinute(), Duration.ofMinutes(1)).build())
                .build();
        this.version = properties.burst() * 1_000_003L + properties.requestsPerMinute();
    }

    /**
     * Takes one request from {@code tenant}'s bucket. Blocking (JDBC): call it off the event loop.
     *
     * @return 0 when taken, else how many nanoseconds until one is available
     */
    public long tryTake(String tenant) {
        ConsumptionProbe probe = buckets.builder()
                .withImplicitConfigurationReplacement(version, TokensInheritanceStrategy.PROPORTIONALLY)
                .build(tenant, () -> configuration)
                .tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
    }
}
