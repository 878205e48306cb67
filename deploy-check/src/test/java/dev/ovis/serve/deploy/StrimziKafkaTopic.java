package dev.ovis.serve.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Map;

/**
 * Strimzi's {@code KafkaTopic} ({@code kafka.strimzi.io/v1beta2}) as its CRD declares it:
 * {@code spec.topicName}, {@code partitions} (&gt;= 1), {@code replicas} (1..32767) and a free-form
 * {@code config}. Read with {@link StrictManifests#STRICT}, any other field fails.
 */
record StrimziKafkaTopic(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

    StrimziKafkaTopic {
        require("kafka.strimzi.io/v1beta2".equals(apiVersion) && "KafkaTopic".equals(kind), "apiVersion/kind");
        require(metadata != null && metadata.getName() != null, "metadata.name");
        require(spec != null, "spec");
    }

    record Spec(String topicName, Integer partitions, Integer replicas, Map<String, Object> config) {
        Spec {
            require(partitions == null || partitions >= 1, "spec.partitions >= 1");
            require(replicas == null || (replicas >= 1 && replicas <= 32767), "spec.replicas in 1..32767");
        }
    }

    /** The Kafka topic's name: {@code spec.topicName}, else the object's name. */
    String topic() {
        return spec.topicName() != null ? spec.topicName() : metadata.getName();
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("KafkaTopic: invalid or missing " + what);
        }
    }
}
