package dev.ovis.serve.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.Map;

/**
 * Reads rendered manifests into typed objects, strictly: an unknown field, a value of the wrong type
 * or an unknown {@code apiVersion}/{@code kind} fails, as {@code kubectl apply --validate=strict}
 * would against a server. Core objects are checked against fabric8's Kubernetes model 7.5.2,
 * generated from the Kubernetes 1.34.1 OpenAPI schema; KEDA's ScaledObject and Strimzi's KafkaTopic
 * against {@link KedaScaledObject} and {@link StrimziKafkaTopic}, written from their CRD schemas.
 */
final class StrictManifests {

    /** apiVersion/kind → the type an object of it must read into. */
    static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/PersistentVolumeClaim", PersistentVolumeClaim.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("keda.sh/v1alpha1/ScaledObject", KedaScaledObject.class),
            Map.entry("kafka.strimzi.io/v1beta2/KafkaTopic", StrimziKafkaTopic.class));

    /**
     * The model classes keep unknown fields in an "additional properties" map through a
     * {@code @JsonAnySetter}; without it an unknown field is an error.
     */
    private static final class NoAnySetter extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnySetter(Annotated a) {
            return Boolean.FALSE;
        }
    }

    static final ObjectMapper STRICT = JsonMapper.builder()
            .annotationIntrospector(new NoAnySetter())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            // "3" where the schema says integer is an error for the API server too
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private StrictManifests() {
    }

    /** The typed form of {@code object}; throws {@link InvalidManifestException} naming the object and field. */
    static Object read(ObjectNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String name = kind + "/" + object.path("metadata").path("name").asText("?");
        Class<?> type = TYPES.get(apiVersion + "/" + kind);
        if (type == null) {
            throw new InvalidManifestException(name + ": apiVersion " + apiVersion + " kind " + kind
                    + " is none this suite uses (" + TYPES.keySet() + ")");
        }
        try {
            return STRICT.treeToValue(object, type);
        } catch (JsonMappingException e) {
            throw new InvalidManifestException(name + ": " + e.getOriginalMessage() + " at " + e.getPathReference(), e);
        } catch (Exception e) {
            throw new InvalidManifestException(name + ": " + e.getMessage(), e);
        }
    }

    /** A manifest that does not match its schema. */
    static final class InvalidManifestException extends RuntimeException {
        InvalidManifestException(String message) {
            super(message);
        }

        InvalidManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
