package dev.ovis.serve.gateway;

import dev.ovis.serve.infra.test.SharedInfrastructure;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of every gateway integration test: one application context (same configuration, so
 * Spring's context cache shares it across test classes) on the JVM's shared real Kafka,
 * PostgreSQL and S3, listening on 127.0.0.1 at a random port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "server.address=127.0.0.1",
        "ovis.gateway.instance-id=gateway-it",
        "ovis.gateway.auth.keys.key-tenant-a=tenant-a",
        "ovis.gateway.auth.keys.key-tenant-b=tenant-b",
        "ovis.gateway.auth.admin-keys[0]=key-admin",
        "ovis.gateway.auth.keys.key-tenant-capped=tenant-capped",
        "ovis.gateway.jobs.active-limits.tenant-capped=2",
        "ovis.gateway.media.max-bytes=1MB",
        "ovis.gateway.outbox.poll-interval=300ms",
        "ovis.gateway.jobs.events-poll-interval=500ms",
        "ovis.gateway.jobs.reaper-interval=300ms",
        "ovis.kafka.request-partitions=2",
        "ovis.kafka.job-event-partitions=2"})
@AutoConfigureWebTestClient(timeout = "30s")
public abstract class GatewayIntegrationTest {

    protected static final String KEY_A = "key-tenant-a";
    protected static final String KEY_B = "key-tenant-b";
    /** Opens /actuator (metrics, traces); not a tenant's key. */
    protected static final String KEY_ADMIN = "key-admin";
    /** A tenant that may have only two jobs in flight. */
    protected static final String KEY_CAPPED = "key-tenant-capped";
    protected static final Duration WAIT = Duration.ofSeconds(30);

    @Autowired
    protected WebTestClient web;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
    }

    /** A client authenticated as {@code key}'s tenant. */
    protected WebTestClient as(String key) {
        return web.mutate().defaultHeader("Authorization", "Bearer " + key).build();
    }
}
