package dev.ovis.serve.infra;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Real round trips against an {@link Infrastructure}: Kafka through a consumer group, SQL, S3. */
final class InfrastructureProbe {

    private InfrastructureProbe() {
    }

    /** Produces to an auto-created topic and reads back in a consumer group with committed offsets. */
    static void kafkaRoundTrip(Infrastructure infra, String topic, List<String> values) throws Exception {
        produce(infra, topic, values);
        assertThat(consumeInGroup(infra, topic, "probe-" + UUID.randomUUID(), values.size())).containsExactlyElementsOf(values);
    }

    static void produce(Infrastructure infra, String topic, List<String> values) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, "key", value)).get();
            }
        }
    }

    static List<String> consumeInGroup(Infrastructure infra, String topic, String group, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    received.add(r.value());
                }
                return received.size() >= expected;
            });
            consumer.commitSync();
        }
        return received;
    }

    static void createTopic(Infrastructure infra, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** Writes a row in a new table of the ovis database and reads it back. */
    static void sqlRoundTrip(Infrastructure infra, String table, String value) throws Exception {
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword())) {
            assertThat(c.getCatalog()).isEqualTo("ovis");
            try (Statement s = c.createStatement()) {
                s.execute("create table if not exists " + table + " (id serial primary key, body text not null)");
            }
            try (PreparedStatement insert = c.prepareStatement("insert into " + table + " (body) values (?)")) {
                insert.setString(1, value);
                insert.executeUpdate();
            }
            assertThat(sqlRead(infra, table)).contains(value);
        }
    }

    static List<String> sqlRead(Infrastructure infra, String table) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUsername(), infra.dbPassword());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select body from " + table + " order by id")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    static MinioClient minio(Infrastructure infra) {
        return MinioClient.builder().endpoint(infra.s3Endpoint()).region("us-east-1")
                .credentials(infra.s3AccessKey(), infra.s3SecretKey()).build();
    }

    /** Creates the bucket when missing, puts an object with a v4-signed request and reads it back. */
    static void s3RoundTrip(Infrastructure infra, String bucket, String key, String content) throws Exception {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        try (MinioClient client = minio(infra)) {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
            client.putObject(PutObjectArgs.builder().bucket(bucket).object(key).contentType("text/plain")
                    .stream(new ByteArrayInputStream(bytes), (long) bytes.length, null).build());
        }
        assertThat(s3Read(infra, bucket, key)).isEqualTo(content);
    }

    static String s3Read(Infrastructure infra, String bucket, String key) throws Exception {
        try (MinioClient client = minio(infra);
                InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
