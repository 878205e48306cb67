package dev.ovis.serve.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every overlay renders with {@code kubectl kustomize}, every object reads strictly against its
 * schema ({@link StrictManifests}), every name a manifest refers to exists in the same render
 * (except the Secrets production expects the operator to create), selectors select pods, and every
 * suite container is hardened, sized and probed.
 */
class RenderedManifestsTests {

    /** Secrets the production overlay expects to exist in the cluster (docs/operations.md). */
    private static final Map<String, Set<String>> PROVIDED_BY_OPERATOR = Map.of(
            "local", Set.of(),
            "production", Set.of("ovis-storage", "ovis-db"),
            "gpu", Set.of("ovis-storage", "ovis-db"));

    @ParameterizedTest
    @ValueSource(strings = {"local", "production", "gpu"})
    void everyObjectReadsStrictlyAndIsUniquelyNamed(String overlay) {
        Rendered rendered = Rendered.overlay(overlay);
        assertThat(rendered.objects()).hasSizeGreaterThan(10);
        Set<String> names = new HashSet<>();
        for (Object o : rendered.objects()) {
            HasMetadata m = metadataOf(o);
            assertThat(names.add(o.getClass().getSimpleName() + "/" + m.getMetadata().getName()))
                    .as("%s: %s named twice", overlay, m.getMetadata().getName()).isTrue();
            assertThat(m.getMetadata().getNamespace()).as("namespace of %s", m.getMetadata().getName())
                    .isIn("ovis", null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production", "gpu"})
    void everyReferenceResolves(String overlay) {
        Rendered r = Rendered.overlay(overlay);
        Set<String> external = PROVIDED_BY_OPERATOR.get(overlay);
        for (Deployment d : r.all(Deployment.class)) {
            PodTemplateSpec pod = d.getSpec().getTemplate();
            String where = overlay + " Deployment " + d.getMetadata().getName();
            assertThat(selects(d.getSpec().getSelector(), pod.getMetadata().getLabels())).as(where + " selector").isTrue();
            String sa = pod.getSpec().getServiceAccountName();
            if (sa != null) {
                assertThat(r.find(ServiceAccount.class, sa)).as(where + " service account").isPresent();
            }
            for (Volume v : pod.getSpec().getVolumes()) {
                if (v.getPersistentVolumeClaim() != null) {
                    assertThat(r.find(PersistentVolumeClaim.class, v.getPersistentVolumeClaim().getClaimName()))
                            .as(where + " claim").isPresent();
                }
            }
            for (Container c : pod.getSpec().getContainers()) {
                for (EnvFromSource from : c.getEnvFrom()) {
                    if (from.getConfigMapRef() != null) {
                        assertThat(r.find(ConfigMap.class, from.getConfigMapRef().getName())).as(where + " envFrom").isPresent();
                    }
                    if (from.getSecretRef() != null && !external.contains(from.getSecretRef().getName())) {
                        assertThat(r.find(Secret.class, from.getSecretRef().getName())).as(where + " envFrom").isPresent();
                    }
                }
                for (EnvVar e : c.getEnv()) {
                    if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                        var ref = e.getValueFrom().getSecretKeyRef();
                        if (!external.contains(ref.getName())) {
                            Secret s = r.get(Secret.class, ref.getName());
                            assertThat(keys(s)).as(where + " " + e.getName()).contains(ref.getKey());
                        }
                    }
                }
            }
        }
        for (Service s : r.all(Service.class)) {
            List<Deployment> selected = selected(r, s.getSpec().getSelector());
            assertThat(selected).as(overlay + " Service " + s.getMetadata().getName() + " selects pods").isNotEmpty();
            for (var port : s.getSpec().getPorts()) {
                if (port.getTargetPort() != null && port.getTargetPort().getStrVal() != null) {
                    for (Deployment d : selected) {
                        assertThat(portNames(d)).as("Service %s targetPort", s.getMetadata().getName())
                                .contains(port.getTargetPort().getStrVal());
                    }
                }
            }
        }
        for (PodDisruptionBudget pdb : r.all(PodDisruptionBudget.class)) {
            assertThat(selected(r, pdb.getSpec().getSelector().getMatchLabels()))
                    .as(overlay + " PDB " + pdb.getMetadata().getName()).hasSize(1);
        }
        for (HorizontalPodAutoscaler hpa : r.all(HorizontalPodAutoscaler.class)) {
            assertThat(r.find(Deployment.class, hpa.getSpec().getScaleTargetRef().getName())).isPresent();
        }
        for (KedaScaledObject so : r.all(KedaScaledObject.class)) {
            assertThat(so.spec().scaleTargetRef().kind()).isIn("Deployment", null);
            assertThat(r.find(Deployment.class, so.spec().scaleTargetRef().name())).as("ScaledObject target").isPresent();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production", "gpu"})
    void everySuiteContainerIsHardenedSizedAndProbed(String overlay) {
        Rendered r = Rendered.overlay(overlay);
        List<Deployment> suite = r.all(Deployment.class).stream()
                .filter(d -> "ovis-serve".equals(d.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/part-of")))
                .toList();
        assertThat(suite).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrder("gateway", "vision", "llm", "video", "ocr");
        for (Deployment d : suite) {
            var pod = d.getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            assertThat(r.all(PodDisruptionBudget.class)).anySatisfy(p ->
                    assertThat(selects(p.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels())).isTrue());
            for (Container c : pod.getContainers()) {
                String where = overlay + " " + d.getMetadata().getName();
                var sc = c.getSecurityContext();
                assertThat(sc.getReadOnlyRootFilesystem()).as(where + " read-only root").isTrue();
                assertThat(sc.getAllowPrivilegeEscalation()).as(where).isFalse();
                assertThat(sc.getCapabilities().getDrop()).as(where).containsExactly("ALL");
                assertThat(c.getResources().getRequests()).as(where + " requests").containsKeys("cpu", "memory");
                assertThat(c.getResources().getLimits()).as(where + " limits").containsKey("memory");
                assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
                assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
                assertThat(c.getVolumeMounts()).as(where + " writable /tmp").anyMatch(m -> m.getMountPath().equals("/tmp"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "production", "gpu"})
    void workersAreReachedByNobodyAndTheGatewayOnlyOnItsServicePort(String overlay) {
        Rendered r = Rendered.overlay(overlay);
        for (String worker : List.of("vision", "llm", "video", "ocr")) {
            Map<String, String> labels = r.get(Deployment.class, worker).getSpec().getTemplate().getMetadata().getLabels();
            List<NetworkPolicy> policies = policiesFor(r, labels);
            assertThat(policies).as(overlay + " " + worker + " is isolated").isNotEmpty();
            for (NetworkPolicy p : policies) {
                for (var rule : p.getSpec().getIngress()) {
                    // the only opening allowed: the monitoring namespace scraping (components/monitoring)
                    assertThat(rule.getFrom()).as(overlay + " " + p.getMetadata().getName() + " lets in " + worker)
                            .isNotEmpty()
                            .allSatisfy(peer -> {
                                assertThat(peer.getIpBlock()).isNull();
                                assertThat(peer.getPodSelector()).isNull();
                                assertThat(peer.getNamespaceSelector().getMatchLabels())
                                        .containsEntry("kubernetes.io/metadata.name", "monitoring");
                            });
                }
            }
        }
        Deployment gateway = r.get(Deployment.class, "gateway");
        Service service = r.get(Service.class, "gateway");
        Set<String> servicePorts = new HashSet<>();
        service.getSpec().getPorts().forEach(p -> servicePorts.add(p.getTargetPort().getStrVal()));
        List<NetworkPolicy> policies = policiesFor(r, gateway.getSpec().getTemplate().getMetadata().getLabels());
        assertThat(policies).as(overlay + " gateway is isolated").isNotEmpty();
        for (NetworkPolicy p : policies) {
            for (var rule : p.getSpec().getIngress()) {
                assertThat(rule.getPorts()).as(overlay + " " + p.getMetadata().getName() + " opens only named ports")
                        .isNotEmpty()
                        .extracting(NetworkPolicyPort::getPort)
                        .allSatisfy(port -> assertThat(servicePorts).contains(port.getStrVal()));
            }
        }
    }

    private static List<NetworkPolicy> policiesFor(Rendered r, Map<String, String> labels) {
        return r.all(NetworkPolicy.class).stream()
                .filter(p -> p.getSpec().getPolicyTypes().contains("Ingress"))
                .filter(p -> selects(p.getSpec().getPodSelector(), labels))
                .toList();
    }

    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null
                && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        for (var e : selector.getMatchExpressions()) {
            String value = labels.get(e.getKey());
            boolean ok = switch (e.getOperator()) {
                case "In" -> value != null && e.getValues().contains(value);
                case "NotIn" -> value == null || !e.getValues().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("unknown selector operator " + e.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static List<Deployment> selected(Rendered r, Map<String, String> selector) {
        List<Deployment> out = new ArrayList<>();
        for (Deployment d : r.all(Deployment.class)) {
            if (selector != null && !selector.isEmpty()
                    && d.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet())) {
                out.add(d);
            }
        }
        return out;
    }

    private static Set<String> portNames(Deployment d) {
        Set<String> names = new HashSet<>();
        for (Container c : d.getSpec().getTemplate().getSpec().getContainers()) {
            c.getPorts().stream().map(ContainerPort::getName).forEach(names::add);
        }
        return names;
    }

    private static Set<String> keys(Secret s) {
        Set<String> keys = new HashSet<>();
        if (s.getData() != null) {
            keys.addAll(s.getData().keySet());
        }
        if (s.getStringData() != null) {
            keys.addAll(s.getStringData().keySet());
        }
        return keys;
    }

    private static HasMetadata metadataOf(Object o) {
        if (o instanceof HasMetadata m) {
            return m;
        }
        if (o instanceof KedaScaledObject so) {
            return named(so.metadata());
        }
        if (o instanceof StrimziKafkaTopic t) {
            return named(t.metadata());
        }
        throw new AssertionError("no metadata: " + o);
    }

    private static HasMetadata named(io.fabric8.kubernetes.api.model.ObjectMeta meta) {
        var holder = new io.fabric8.kubernetes.api.model.GenericKubernetesResource();
        holder.setMetadata(meta);
        return holder;
    }
}
