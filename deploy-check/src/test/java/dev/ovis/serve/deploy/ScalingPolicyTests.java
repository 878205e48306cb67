package dev.ovis.serve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ovis.serve.common.Topic;
import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.job.Stage;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What production promises: each worker scales on the lag of its real consumer group on its real
 * request topic (names from {@code common}'s {@link Topics} and the stage runtime's group
 * {@code ovis-<stage>}), topics have the partitions the most replicas need, the gateway scales on
 * CPU and reads its API keys from the Secret {@code ovis-api-keys}, and the gpu overlay schedules
 * vision and llm onto GPUs.
 */
class ScalingPolicyTests {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest
    @ValueSource(strings = {"production", "gpu"})
    void everyWorkerScalesOnTheLagOfItsOwnGroupAndTopic(String overlay) throws IOException {
        Rendered r = Rendered.overlay(overlay);
        for (Stage stage : Stage.values()) {
            String name = stage.name().toLowerCase(Locale.ROOT);
            List<KedaScaledObject> scalers = r.all(KedaScaledObject.class).stream()
                    .filter(so -> so.spec().scaleTargetRef().name().equals(name)).toList();
            assertThat(scalers).as("%s: one ScaledObject for %s", overlay, name).hasSize(1);
            KedaScaledObject so = scalers.getFirst();
            Map<String, String> kafka = so.kafkaTrigger();
            assertThat(kafka).as(name + " kafka trigger").isNotNull();
            assertThat(kafka).containsEntry("topic", Topics.requests(stage).name())
                    // StageListeners: group "ovis-" + stage
                    .containsEntry("consumerGroup", "ovis-" + name)
                    .containsEntry("offsetResetPolicy", "earliest")
                    .containsKey("lagThreshold");
            // the address the services use (ConfigMap ovis-config), so KEDA reads the same cluster's lag
            String bootstrap = r.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "ovis-config")
                    .getData().get("SPRING_KAFKA_BOOTSTRAP_SERVERS");
            assertThat(kafka.get("bootstrapServers")).isEqualTo(bootstrap).contains(".svc");
            int max = so.spec().maxReplicaCount();
            assertThat(max).isGreaterThanOrEqualTo(2);

            StrimziKafkaTopic topic = r.all(StrimziKafkaTopic.class).stream()
                    .filter(t -> t.topic().equals(Topics.requests(stage).name())).findFirst()
                    .orElseThrow(() -> new AssertionError("no KafkaTopic for " + Topics.requests(stage)));
            int consumers = max * concurrency(r.get(Deployment.class, name), stage);
            assertThat(topic.spec().partitions())
                    .as("%s: partitions of %s >= %d replicas x consumer threads", overlay, topic.topic(), max)
                    .isGreaterThanOrEqualTo(consumers);
        }
    }

    @Test
    void scaleToZeroOnlyForTheBatchStages() {
        Rendered r = Rendered.overlay("production");
        for (KedaScaledObject so : r.all(KedaScaledObject.class)) {
            String name = so.spec().scaleTargetRef().name();
            int min = so.spec().minReplicaCount() == null ? 1 : so.spec().minReplicaCount();
            if (name.equals("video") || name.equals("ocr")) {
                assertThat(min).as(name).isZero();
                assertThat(so.kafkaTrigger()).containsEntry("activationLagThreshold", "0");
            } else {
                assertThat(min).as(name + " is interactive").isGreaterThanOrEqualTo(1);
            }
        }
    }

    @Test
    void everyTopicOfTheSuiteIsDefinedWithTheClusterLabel() throws IllegalAccessException {
        Rendered r = Rendered.overlay("production");
        List<String> defined = r.all(StrimziKafkaTopic.class).stream().map(StrimziKafkaTopic::topic).toList();
        List<String> expected = new ArrayList<>();
        // every fixed topic: the envelope topics (Topic) and the batch topics (plain names)
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.get(null) instanceof Topic<?> topic) {
                expected.add(topic.name());
            } else if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                expected.add((String) f.get(null));
            }
        }
        assertThat(defined).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(r.all(StrimziKafkaTopic.class))
                .allSatisfy(t -> assertThat(t.metadata().getLabels()).containsKey("strimzi.io/cluster"));
        StrimziKafkaTopic models = r.all(StrimziKafkaTopic.class).stream()
                .filter(t -> t.topic().equals(Topics.MODELS.name())).findFirst().orElseThrow();
        assertThat(models.spec().config()).containsEntry("cleanup.policy", "compact");
    }

    @Test
    void gatewayScalesOnCpuAndReadsItsKeysFromTheSecretNeverGeneratingOne() throws IOException {
        Rendered r = Rendered.overlay("production");
        HorizontalPodAutoscaler hpa = r.all(HorizontalPodAutoscaler.class).stream()
                .filter(h -> h.getSpec().getScaleTargetRef().getName().equals("gateway")).findFirst().orElseThrow();
        assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(hpa.getSpec().getMetrics()).anySatisfy(m -> assertThat(m.getResource().getName()).isEqualTo("cpu"));

        Container gateway = r.get(Deployment.class, "gateway").getSpec().getTemplate().getSpec().getContainers().getFirst();
        assertThat(env(gateway, "OVIS_GATEWAY_AUTH_GENERATEKEY")).isEqualTo("false");
        assertThat(gateway.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("OVIS_GATEWAY_INSTANCEID");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        });
        String keysSecret = gateway.getEnvFrom().stream()
                .filter(f -> f.getSecretRef() != null && f.getSecretRef().getName().startsWith("ovis-api-keys"))
                .map(f -> f.getSecretRef().getName()).findFirst()
                .orElseThrow(() -> new AssertionError("gateway does not read the Secret ovis-api-keys"));
        Secret secret = r.get(Secret.class, keysSecret);
        String json = new String(Base64.getMimeDecoder().decode(secret.getData().get("SPRING_APPLICATION_JSON")),
                StandardCharsets.UTF_8);
        JsonNode keys = new ObjectMapper().readTree(json).path("ovis").path("gateway").path("auth").path("keys");
        assertThat(keys.isObject()).as("ovis.gateway.auth.keys in the Secret: " + json).isTrue();
        // the same key never serves every pod of every cluster: production ships none
        assertThat(keys.size()).isZero();
    }

    @Test
    void localOverlayCarriesAKeySoTheGatewayStarts() throws IOException {
        Rendered r = Rendered.overlay("local");
        Secret secret = r.get(Secret.class, "ovis-api-keys");
        String json = new String(Base64.getMimeDecoder().decode(secret.getData().get("SPRING_APPLICATION_JSON")),
                StandardCharsets.UTF_8);
        assertThat(new ObjectMapper().readTree(json).at("/ovis/gateway/auth/keys").size()).isEqualTo(1);
    }

    @Test
    void gpuOverlayPutsVisionAndLlmOnGpusAndNothingElse() {
        Rendered r = Rendered.overlay("gpu");
        for (Deployment d : r.all(Deployment.class)) {
            String name = d.getMetadata().getName();
            var pod = d.getSpec().getTemplate().getSpec();
            Quantity gpus = pod.getContainers().getFirst().getResources().getLimits().get("nvidia.com/gpu");
            if (name.equals("vision") || name.equals("llm")) {
                assertThat(gpus).as(name).isEqualTo(new Quantity("1"));
                assertThat(pod.getTolerations()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
                assertThat(pod.getNodeSelector()).containsKey("nvidia.com/gpu.present");
                assertThat(pod.getContainers().getFirst().getImage()).endsWith("-gpu");
            } else {
                assertThat(gpus).as(name).isNull();
                assertThat(pod.getContainers().getFirst().getImage()).doesNotEndWith("-gpu");
            }
        }
        for (KedaScaledObject so : r.all(KedaScaledObject.class)) {
            if (List.of("vision", "llm").contains(so.spec().scaleTargetRef().name())) {
                assertThat(so.spec().maxReplicaCount()).isLessThanOrEqualTo(4);
            }
        }
    }

    /** Consumer threads per pod: OVIS_STAGE_CONCURRENCY, else the service's application.yml, else 1. */
    private static int concurrency(Deployment d, Stage stage) throws IOException {
        String fromEnv = env(d.getSpec().getTemplate().getSpec().getContainers().getFirst(), "OVIS_STAGE_CONCURRENCY");
        if (fromEnv != null) {
            return Integer.parseInt(fromEnv);
        }
        Path yml = RepositoryFiles.resolve(stage.name().toLowerCase(Locale.ROOT) + "-service/src/main/resources/application.yml");
        JsonNode c = YAML.readTree(Files.readString(yml)).at("/ovis/stage/concurrency");
        return c.isMissingNode() ? 1 : c.asInt();
    }

    private static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElse(null);
    }
}
