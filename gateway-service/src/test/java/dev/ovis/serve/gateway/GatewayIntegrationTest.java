package dev.ovis.serve.gateway;

import dev.ovis.serve.infra.test.SharedInfrastructure;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
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
        "ovis.gateway.files.purge-interval=300ms",
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

    /**
     * Connections are kept alive and reused, as a real client's are. Idle pooled connections are
     * dropped after 20 s, before the server's own idle timeout (60 s) could close one just as a test
     * picks it up again.
     */
    private static final ConnectionProvider CONNECTIONS = ConnectionProvider.builder("gateway-it")
            .maxIdleTime(Duration.ofSeconds(20)).build();

    protected WebTestClient web;

    @LocalServerPort
    private int port;

    @BeforeEach
    void pooledClient() {
        web = WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create(CONNECTIONS)))
                .baseUrl("http://127.0.0.1:" + port).responseTimeout(WAIT).build();
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.register(registry);
    }

    /** A client authenticated as {@code key}'s tenant. */
    protected WebTestClient as(String key) {
        return web.mutate().defaultHeader("Authorization", "Bearer " + key).build();
    }
}
