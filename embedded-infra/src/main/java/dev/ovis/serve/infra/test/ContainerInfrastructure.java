package dev.ovis.serve.infra.test;

import java.util.stream.Stream;

import dev.ovis.serve.infra.Infrastructure;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Kafka (apache/kafka, KRaft), PostgreSQL 16 and MinIO in Testcontainers: the production images,
 * for test runs on machines with Docker. Containers start in parallel.
 */
final class ContainerInfrastructure implements Infrastructure {

    private static final String KAFKA_IMAGE = "apache/kafka:4.1.1";
    private static final String POSTGRES_IMAGE = "postgres:16-alpine";
    private static final String MINIO_IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";

    private final KafkaContainer kafka;
    private final PostgreSQLContainer postgres;
    private final MinIOContainer minio;

    private ContainerInfrastructure(KafkaContainer kafka, PostgreSQLContainer postgres, MinIOContainer minio) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.minio = minio;
    }

    static ContainerInfrastructure start() {
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE)
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE)
                .withDatabaseName("ovis").withUsername("ovis").withPassword("ovis");
        MinIOContainer minio = new MinIOContainer(MINIO_IMAGE)
                .withUserName("minioadmin").withPassword("minioadmin");
        Startables.deepStart(kafka, postgres, minio).join();
        return new ContainerInfrastructure(kafka, postgres, minio);
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String jdbcUrl() {
        return postgres.getJdbcUrl();
    }

    @Override
    public String r2dbcUrl() {
        return "r2dbc:postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432) + "/"
                + postgres.getDatabaseName();
    }

    @Override
    public String dbUsername() {
        return postgres.getUsername();
    }

    @Override
    public String dbPassword() {
        return postgres.getPassword();
    }

    @Override
    public String s3Endpoint() {
        return minio.getS3URL();
    }

    @Override
    public String s3AccessKey() {
        return minio.getUserName();
    }

    @Override
    public String s3SecretKey() {
        return minio.getPassword();
    }

    @Override
    public void close() {
        Stream.of(minio, kafka, postgres).forEach(c -> {
            try {
                c.stop();
            } catch (RuntimeException e) {
                // best effort: Ryuk removes what is left when the JVM exits
            }
        });
    }
}
