package dev.ovis.serve.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.gateway.auth.AuthProperties;
import dev.ovis.serve.gateway.job.JobsProperties;
import dev.ovis.serve.gateway.job.RetentionProperties;
import dev.ovis.serve.gateway.media.MediaProperties;
import dev.ovis.serve.gateway.outbox.OutboxProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * The gateway's settings bind under the keys docs/gateway.md names, each feature's record under its
 * own prefix below {@code ovis.gateway}, with the documented defaults and their constraints.
 */
class PropertiesBindingTests {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({GatewayProperties.class, AuthProperties.class, MediaProperties.class,
            JobsProperties.class, RetentionProperties.class, OutboxProperties.class, DbProperties.class, JsonProperties.class})
    static class Records {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Records.class);

    @Test
    void givenNothingSet_thenEveryRecordHasItsDocumentedDefaults() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(GatewayProperties.class).instanceId()).isEqualTo("gateway-local");
            AuthProperties auth = context.getBean(AuthProperties.class);
            assertThat(auth.keys()).isEmpty();
            assertThat(auth.generateKey()).isTrue();
            assertThat(auth.adminKeys()).isEmpty();
            assertThat(context.getBean(MediaProperties.class)).isEqualTo(new MediaProperties(DataSize.ofMegabytes(50), null));
            JobsProperties jobs = context.getBean(JobsProperties.class);
            assertThat(jobs.defaultPageSize()).isEqualTo(20);
            assertThat(jobs.lease()).isEqualTo(Duration.ofSeconds(60));
            assertThat(jobs.eventMaxAttempts()).isEqualTo(5);
            assertThat(context.getBean(RetentionProperties.class)).isEqualTo(new RetentionProperties(Duration.ofDays(14),
                    Duration.ofDays(7), Duration.ofDays(30), Duration.ofHours(1), 10000));
            assertThat(context.getBean(OutboxProperties.class)).isEqualTo(new OutboxProperties(Duration.ofSeconds(1), 100,
                    Duration.ofSeconds(10), 8, Duration.ofSeconds(1), Duration.ofMinutes(5), DataSize.ofKilobytes(960)));
            assertThat(context.getBean(DbProperties.class).threads()).isEqualTo(10);
            assertThat(context.getBean(JsonProperties.class)).isEqualTo(new JsonProperties(64, 200000, 100, 1000));
        });
    }

    @Test
    void givenEveryPrefixSet_thenEachRecordBindsItsOwnKeys() {
        runner.withPropertyValues(
                "ovis.gateway.instance-id=gateway-b",
                "ovis.gateway.auth.keys.key-a=tenant-a", "ovis.gateway.auth.generate-key=false",
                "ovis.gateway.auth.admin-keys[0]=admin",
                "ovis.gateway.media.max-bytes=64KB", "ovis.gateway.media.temp-dir=/spool",
                "ovis.gateway.jobs.max-page-size=50", "ovis.gateway.jobs.active-limits.tenant-a=2",
                "ovis.gateway.jobs.queued-lease=1m",
                "ovis.gateway.retention.media=2d", "ovis.gateway.retention.batch-size=7",
                "ovis.gateway.outbox.max-attempts=2", "ovis.gateway.outbox.max-message-bytes=100KB",
                "ovis.gateway.db.threads=3",
                "ovis.gateway.json.max-depth=8", "ovis.gateway.json.max-tokens=1000").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(GatewayProperties.class).instanceId()).isEqualTo("gateway-b");
            AuthProperties auth = context.getBean(AuthProperties.class);
            assertThat(auth.keys()).isEqualTo(Map.of("key-a", "tenant-a"));
            assertThat(auth.generateKey()).isFalse();
            assertThat(auth.adminKeys()).isEqualTo(List.of("admin"));
            assertThat(context.getBean(MediaProperties.class)).isEqualTo(new MediaProperties(DataSize.ofKilobytes(64), "/spool"));
            JobsProperties jobs = context.getBean(JobsProperties.class);
            assertThat(jobs.maxPageSize()).isEqualTo(50);
            assertThat(jobs.maxActive("tenant-a")).isEqualTo(2);
            assertThat(jobs.maxActive("tenant-b")).isEqualTo(1000);
            assertThat(jobs.queuedLease()).isEqualTo(Duration.ofMinutes(1));
            RetentionProperties retention = context.getBean(RetentionProperties.class);
            assertThat(retention.media()).isEqualTo(Duration.ofDays(2));
            assertThat(retention.batchSize()).isEqualTo(7);
            OutboxProperties outbox = context.getBean(OutboxProperties.class);
            assertThat(outbox.maxAttempts()).isEqualTo(2);
            assertThat(outbox.maxMessageBytes()).isEqualTo(DataSize.ofKilobytes(100));
            assertThat(context.getBean(DbProperties.class).threads()).isEqualTo(3);
            JsonProperties json = context.getBean(JsonProperties.class);
            assertThat(json.maxDepth()).isEqualTo(8);
            assertThat(json.maxTokens()).isEqualTo(1000);
        });
    }

    @Test
    void givenAValueItsConstraintRefuses_thenTheContextFailsToStart() {
        for (String invalid : List.of("ovis.gateway.instance-id=not/valid", "ovis.gateway.jobs.max-page-size=1001",
                "ovis.gateway.retention.batch-size=0", "ovis.gateway.outbox.batch-size=0", "ovis.gateway.db.threads=0",
                "ovis.gateway.json.max-depth=3")) {
            runner.withPropertyValues(invalid).run(context -> assertThat(context).as(invalid).hasFailed());
        }
    }
}
