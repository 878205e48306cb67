package dev.ovis.serve.gateway.limit;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * Each tenant's token bucket, kept in PostgreSQL (table {@code rate_limit_buckets}) by Bucket4j, so
 * every gateway instance draws on the same bucket: N instances do not give a tenant N times its
 * rate. A take is one short transaction ({@code select … for update}, then an update of the row).
 *
 * <p>That transaction, and the hand-over to a blocking thread and back around it, cost ~3 ms of a
 * one-token chat on two cores. So an instance takes up to {@link RateLimitProperties#tokensPerTakeFor()}
 * tokens at once and spends the rest from memory ({@link #trySpendHeld}, on the event loop). Every
 * token spent was taken from the shared bucket first, so the rate still holds across instances; the
 * costs: the shared bucket refills while an instance holds tokens, so a tenant may get up to
 * {@code tokensPerTake − 1} requests beyond its burst per instance, and a tenant at its limit may be
 * refused on one instance while another still holds a few of its tokens.
 */
@Component
public class SharedRateLimits {

    private final ProxyManager<String> buckets;
    private final BucketConfiguration configuration;
    /** Identifies the configuration: an instance with other limits replaces the stored ones. */
    private final long version;
    private final int tokensPerTake;
    /** Tokens taken from each tenant's shared bucket and not yet spent; one entry per tenant that called. */
    private final Map<String, AtomicLong> held = new ConcurrentHashMap<>();

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
        this.tokensPerTake = properties.tokensPerTakeFor();
    }

    /** Spends one of the tokens this instance holds for {@code tenant}, if any. Non-blocking. */
    public boolean trySpendHeld(String tenant) {
        AtomicLong tokens = held.get(tenant);
        return tokens != null && tokens.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /**
     * Takes one request's token from {@code tenant}'s shared bucket, and up to {@code tokensPerTake − 1}
     * more to hold for the next requests. Blocking (JDBC): call it off the event loop.
     *
     * @return 0 when taken, else how many nanoseconds until one is available
     */
    public long tryTake(String tenant) {
        BucketProxy bucket = buckets.builder()
                .withImplicitConfigurationReplacement(version, TokensInheritanceStrategy.PROPORTIONALLY)
                .build(tenant, () -> configuration);
        if (tokensPerTake > 1) {
            long taken = bucket.tryConsumeAsMuchAsPossible(tokensPerTake);
            if (taken > 0) {
                if (taken > 1) {
                    held.computeIfAbsent(tenant, t -> new AtomicLong()).addAndGet(taken - 1);
                }
                return 0;
            }
        }
        // one token, or none left: this probe also says how long until the next one
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
    }
}
