package dev.ovis.serve.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The validator fails where a strict API server would: unknown fields, wrong types, unknown kinds. */
class StrictManifestsTests {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d}
            spec:
              replicas: 2
              selector: {matchLabels: {a: b}}
              template:
                metadata: {labels: {a: b}}
                spec:
                  containers:
                    - name: c
                      image: i
                      resources: {limits: {memory: 1Gi}}
                      ports: [{name: http, containerPort: 8080}]
            """;

    private static final String SCALED_OBJECT = """
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata: {name: s}
            spec:
              scaleTargetRef: {name: d}
              minReplicaCount: 0
              maxReplicaCount: 4
              advanced:
                horizontalPodAutoscalerConfig:
                  behavior: {scaleDown: {stabilizationWindowSeconds: 300}}
              triggers:
                - type: kafka
                  metadata: {bootstrapServers: k:9092, consumerGroup: g, topic: t, lagThreshold: "2"}
            """;

    private static final String KAFKA_TOPIC = """
            apiVersion: kafka.strimzi.io/v1beta2
            kind: KafkaTopic
            metadata: {name: t, labels: {strimzi.io/cluster: c}}
            spec: {topicName: a.b, partitions: 3, replicas: 3, config: {retention.ms: "1000"}}
            """;

    private static Object read(String yaml) throws IOException {
        List<ObjectNode> docs = Kustomize.parse(yaml);
        assertThat(docs).hasSize(1);
        return StrictManifests.read(docs.getFirst());
    }

    @Test
    void wellFormedObjectsRead() throws IOException {
        assertThat(read(DEPLOYMENT)).isInstanceOf(Deployment.class);
        KedaScaledObject so = (KedaScaledObject) read(SCALED_OBJECT);
        assertThat(so.kafkaTrigger()).containsEntry("consumerGroup", "g");
        assertThat(so.spec().advanced().horizontalPodAutoscalerConfig().behavior().getScaleDown()
                .getStabilizationWindowSeconds()).isEqualTo(300);
        assertThat(((StrimziKafkaTopic) read(KAFKA_TOPIC)).spec().partitions()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown container field   | 'image: i'                  | 'image: i~          imagePullPolicyy: Always'
            unknown spec field        | 'replicas: 2'               | 'replica: 2'
            string for an integer     | 'replicas: 2'               | 'replicas: "2"'
            unknown pod field         | 'containers:'               | 'hostNetworking: true~      containers:'
            unknown kind              | 'kind: Deployment'          | 'kind: Deploymnt'
            old apiVersion            | 'apiVersion: apps/v1'       | 'apiVersion: apps/v1beta1'
            """)
    void coreObjectMistakesFail(String what, String from, String to) {
        String broken = DEPLOYMENT.replace(from, to.replace("~", "\n")); // ~ marks a line break
        assertThat(broken).isNotEqualTo(DEPLOYMENT);
        assertThatThrownBy(() -> read(broken)).as(what).isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageStartingWith("Deploy");
    }

    @Test
    void aKeyGivenTwiceFails() {
        String twice = DEPLOYMENT.replace("  replicas: 2", "  replicas: 2\n  replicas: 3");
        assertThatThrownBy(() -> read(twice)).hasMessageContaining("replicas");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown spec field         | 'minReplicaCount: 0'    | 'minReplicas: 0'
            kafka parameter typo       | 'lagThreshold: "2"'     | 'lagTreshold: "2"'
            lag not a number           | 'lagThreshold: "2"'     | 'lagThreshold: "two"'
            no consumer group          | 'consumerGroup: g, '    | ''
            unknown behavior field     | 'stabilizationWindowSeconds: 300' | 'stabilisationWindowSeconds: 300'
            max below min              | 'maxReplicaCount: 4'    | 'maxReplicaCount: -1'
            no target name             | 'scaleTargetRef: {name: d}' | 'scaleTargetRef: {kind: Deployment}'
            """)
    void scaledObjectMistakesFail(String what, String from, String to) {
        String broken = SCALED_OBJECT.replace(from, to);
        assertThat(broken).isNotEqualTo(SCALED_OBJECT);
        assertThatThrownBy(() -> read(broken)).as(what).isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageStartingWith("ScaledObject/s");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown spec field   | 'replicas: 3'    | 'replication: 3'
            no partitions        | 'partitions: 3'  | 'partitions: 0'
            older apiVersion     | 'v1beta2'        | 'v1beta1'
            """)
    void kafkaTopicMistakesFail(String what, String from, String to) {
        String broken = KAFKA_TOPIC.replace(from, to);
        assertThat(broken).isNotEqualTo(KAFKA_TOPIC);
        assertThatThrownBy(() -> read(broken)).as(what).isInstanceOf(StrictManifests.InvalidManifestException.class)
                .hasMessageStartingWith("KafkaTopic/t");
    }
}
