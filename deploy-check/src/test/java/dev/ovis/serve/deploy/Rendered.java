package dev.ovis.serve.deploy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** One rendered overlay: its objects, read strictly, with look-ups by type and name. */
record Rendered(String overlay, List<Object> objects) {

    private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();

    /** {@code k8s/overlays/<overlay>} rendered and read once per test JVM. */
    static Rendered overlay(String overlay) {
        Kustomize.assumeKubectl();
        return CACHE.computeIfAbsent(overlay, o -> {
            try {
                List<Object> objects = new ArrayList<>();
                for (ObjectNode node : Kustomize.render(RepositoryFiles.resolve("k8s/overlays/" + o))) {
                    objects.add(StrictManifests.read(node));
                }
                return new Rendered(o, List.copyOf(objects));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    static Path overlayDir(String overlay) {
        return RepositoryFiles.resolve("k8s/overlays/" + overlay);
    }

    <T> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
        return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> type, String name) {
        return find(type, name).orElseThrow(() -> new AssertionError(
                overlay + ": no " + type.getSimpleName() + " named " + name));
    }
}
