package dev.ovis.serve.infra;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A running Kafka broker, PostgreSQL database and S3-compatible store, as seen by the services:
 * connection coordinates plus the Spring properties that point an application at them.
 *
 * <p>Implementations are the in-process servers of {@link EmbeddedInfrastructure} and, in tests
 * where Docker exists, Testcontainers. {@link #close()} stops everything that was started.
 */
public interface Infrastructure extends AutoCloseable {

    /** Kafka {@code bootstrap.servers}, e.g. {@code 127.0.0.1:40123}. */
    String kafkaBootstrapServers();

    /** JDBC URL of the {@code ovis} database. */
    String jdbcUrl();

    /** R2DBC URL of the same database. */
    String r2dbcUrl();

    String dbUsername();

    String dbPassword();

    /** S3 endpoint, e.g. {@code http://127.0.0.1:40125}. */
    String s3Endpoint();

    String s3AccessKey();

    String s3SecretKey();

    /**
     * The Spring properties that point a service at this infrastructure:
     * {@code spring.kafka.bootstrap-servers}, {@code spring.datasource.url/username/password},
     * {@code spring.r2dbc.url/username/password}, {@code spring.flyway.url/user/password},
     * {@code ovis.storage.endpoint/access-key/secret-key}.
     */
    default Map<String, String> springProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("spring.kafka.bootstrap-servers", kafkaBootstrapServers());
        p.put("spring.datasource.url", jdbcUrl());
        p.put("spring.datasource.username", dbUsername());
        p.put("spring.datasource.password", dbPassword());
        p.put("spring.r2dbc.url", r2dbcUrl());
        p.put("spring.r2dbc.username", dbUsername());
        p.put("spring.r2dbc.password", dbPassword());
        p.put("spring.flyway.url", jdbcUrl());
        p.put("spring.flyway.user", dbUsername());
        p.put("spring.flyway.password", dbPassword());
        p.put("ovis.storage.endpoint", s3Endpoint());
        p.put("ovis.storage.access-key", s3AccessKey());
        p.put("ovis.storage.secret-key", s3SecretKey());
        return Map.copyOf(p);
    }

    /** Stops every server this instance started; never throws. */
    @Override
    void close();
}
