package dev.ovis.serve.deploy;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBehavior;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * KEDA's {@code ScaledObject} ({@code keda.sh/v1alpha1}), field for field as the CRD of KEDA 2.x
 * declares it (scaledobjects.keda.sh, openAPIV3Schema), with its required fields; the HPA behavior
 * is autoscaling/v2's. Read with {@link StrictManifests#STRICT}, any other field fails. Kafka
 * triggers are checked against the parameters KEDA's Kafka scaler reads.
 */
record KedaScaledObject(String apiVersion, String kind, ObjectMeta metadata, Spec spec) {

    KedaScaledObject {
        require("keda.sh/v1alpha1".equals(apiVersion) && "ScaledObject".equals(kind), "apiVersion/kind");
        require(metadata != null && metadata.getName() != null, "metadata.name");
        require(spec != null, "spec");
    }

    record Spec(ScaleTargetRef scaleTargetRef, Integer pollingInterval, Integer initialCooldownPeriod,
                Integer cooldownPeriod, Integer idleReplicaCount, Integer minReplicaCount, Integer maxReplicaCount,
                Advanced advanced, Fallback fallback, List<Trigger> triggers) {
        Spec {
            require(scaleTargetRef != null, "spec.scaleTargetRef");
            require(triggers != null && !triggers.isEmpty(), "spec.triggers");
            require(minReplicaCount == null || minReplicaCount >= 0, "spec.minReplicaCount >= 0");
            require(maxReplicaCount == null || minReplicaCount == null || maxReplicaCount >= minReplicaCount,
                    "spec.maxReplicaCount >= minReplicaCount");
        }
    }

    record ScaleTargetRef(String apiVersion, String kind, String name, String envSourceContainerName) {
        ScaleTargetRef {
            require(name != null, "spec.scaleTargetRef.name");
        }
    }

    record Advanced(HorizontalPodAutoscalerConfig horizontalPodAutoscalerConfig, Boolean restoreToOriginalReplicaCount,
                    ScalingModifiers scalingModifiers) {
    }

    record HorizontalPodAutoscalerConfig(String name, HorizontalPodAutoscalerBehavior behavior) {
    }

    record ScalingModifiers(String formula, String target, String activationTarget, String metricType) {
    }

    record Fallback(Integer failureThreshold, Integer replicas, String behavior) {
        Fallback {
            require(failureThreshold != null && replicas != null, "spec.fallback.failureThreshold and replicas");
        }
    }

    record AuthenticationRef(String name, String kind) {
        AuthenticationRef {
            require(name != null, "authenticationRef.name");
        }
    }

    record Trigger(String type, String name, Boolean useCachedMetrics, Map<String, String> metadata,
                   AuthenticationRef authenticationRef, String metricType) {

        /** The metadata KEDA 2.x's Kafka scaler reads; anything else there is a typo it would ignore. */
        static final Set<String> KAFKA_PARAMETERS = Set.of("bootstrapServers", "bootstrapServersFromEnv",
                "consumerGroup", "consumerGroupFromEnv", "topic", "topicFromEnv", "lagThreshold",
                "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "excludePersistentLag",
                "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions",
                "partitionLimitation", "version", "sasl", "tls", "unsafeSsl");

        Trigger {
            require(type != null, "trigger type");
            require(metadata != null, "trigger metadata");
            if ("kafka".equals(type)) {
                Set<String> unknown = new java.util.TreeSet<>(metadata.keySet());
                unknown.removeAll(KAFKA_PARAMETERS);
                require(unknown.isEmpty(), "kafka trigger parameters known to KEDA, not " + unknown);
                require(metadata.containsKey("consumerGroup") || metadata.containsKey("consumerGroupFromEnv"),
                        "kafka trigger consumerGroup");
                require(metadata.containsKey("bootstrapServers") || metadata.containsKey("bootstrapServersFromEnv"),
                        "kafka trigger bootstrapServers");
                for (String n : List.of("lagThreshold", "activationLagThreshold")) {
                    require(!metadata.containsKey(n) || metadata.get(n).matches("\\d+"), n + " a whole number");
                }
                require(!metadata.containsKey("offsetResetPolicy")
                        || Set.of("earliest", "latest").contains(metadata.get("offsetResetPolicy")),
                        "offsetResetPolicy earliest or latest");
            }
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("ScaledObject: invalid or missing " + what);
        }
    }

    /** Convenience for the checks: the Kafka trigger's metadata, or {@code null} without one. */
    Map<String, String> kafkaTrigger() {
        return spec.triggers().stream().filter(t -> "kafka".equals(t.type())).map(Trigger::metadata)
                .filter(Objects::nonNull).findFirst().orElse(null);
    }
}
