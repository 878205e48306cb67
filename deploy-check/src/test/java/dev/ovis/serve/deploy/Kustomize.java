package dev.ovis.serve.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Renders a kustomization with {@code kubectl kustomize}, as {@code kubectl apply -k} would, into
 * its objects (YAML trees). kubectl must carry kustomize 4 or newer (components); without kubectl
 * the tests that render are skipped, saying so, since no package of Debian 12 or Maven Central
 * brings a kustomize that new.
 */
final class Kustomize {

    private static final Pattern KUSTOMIZE_VERSION = Pattern.compile("Kustomize Version: v(\\d+)\\.");
    /** A key given twice in one mapping is an error, as for the API server, not "last one wins". */
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private Kustomize() {
    }

    /** Skips the calling test, with the reason, unless a kubectl with kustomize 4+ is on the PATH. */
    static void assumeKubectl() {
        String reason = kubectlProblem();
        Assumptions.assumeTrue(reason == null, reason);
    }

    private static String kubectlProblem() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            Matcher m = KUSTOMIZE_VERSION.matcher(out);
            if (!m.find()) {
                return "kubectl prints no Kustomize version (" + out.strip() + "): the manifests are not rendered here";
            }
            if (Integer.parseInt(m.group(1)) < 4) {
                return "kubectl's kustomize is v" + m.group(1) + ", components need v4+: the manifests are not rendered here";
            }
            return null;
        } catch (IOException e) {
            return "no kubectl on the PATH (" + e.getMessage() + "): the Kubernetes manifests are not rendered here; "
                    + "install kubectl 1.21+ (docs/operations.md) to check them";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The objects {@code kubectl kustomize dir} renders, in its order; fails with kubectl's error. */
    static List<ObjectNode> render(Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("kubectl kustomize " + dir + " failed: " + err.strip());
        }
        return parse(new String(out, StandardCharsets.UTF_8));
    }

    /** Every document of a multi-document YAML stream that is an object. */
    static List<ObjectNode> parse(String yaml) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        try (YAMLParser parser = ((YAMLFactory) YAML.getFactory()).createParser(yaml)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode doc = it.next();
                if (doc instanceof ObjectNode object) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }
}
