package dev.ovis.serve.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compares a regenerated fixture with the committed one the way results of float arithmetic can
 * be compared across CPUs: PyTorch picks kernels by instruction set (AVX2, AVX-512), so computed
 * floats (visual embeddings, logits, top-1/top-2 gaps) differ in their last bits from machine to
 * machine. Those are compared with {@link #ATOL} + {@link #RTOL} x |committed| — the same 1e-4
 * the Java runtime is held to against these references. Everything else is exact: the weights
 * and graphs, the tokenizer, the images, every integer (ids, shapes, token sequences, positions),
 * every string (prompts, generated text, pixel checksums: preprocessing is integer and
 * element-wise float work, the same bits everywhere). The only strings skipped are the sha256 of
 * a computed float file, whose content is itself compared within tolerance.
 */
final class FixtureComparison {

    static final double ATOL = 1e-4;
    static final double RTOL = 1e-4;

    private static final String FLOAT_FILE = ".f32.bin";
    private static final String REFERENCE_JSON = "reference/reference.json";

    private final List<String> differences = new ArrayList<>();

    private FixtureComparison() {
    }

    /** Each difference beyond what cross-CPU float arithmetic explains; empty when the fixtures agree. */
    static List<String> differences(Path committed, Path regenerated) throws IOException {
        FixtureComparison c = new FixtureComparison();
        TreeSet<String> expected = files(committed);
        TreeSet<String> actual = files(regenerated);
        if (!expected.equals(actual)) {
            c.differences.add("files differ: committed " + expected + ", regenerated " + actual);
        }
        for (String file : expected) {
            if (!actual.contains(file)) {
                continue;
            }
            Path a = committed.resolve(file);
            Path b = regenerated.resolve(file);
            if (file.endsWith(FLOAT_FILE)) {
                c.floats(file, Files.readAllBytes(a), Files.readAllBytes(b));
            } else if (file.equals(REFERENCE_JSON)) {
                JsonMapper json = JsonMapper.builder().build();
                c.json(file, json.readTree(a.toFile()), json.readTree(b.toFile()));
            } else if (!ModelDirectory.sha256(a).equals(ModelDirectory.sha256(b))) {
                c.differences.add(file + ": bytes differ (must be identical on every machine)");
            }
        }
        return c.differences;
    }

    static boolean close(double committed, double regenerated) {
        return Math.abs(committed - regenerated) <= ATOL + RTOL * Math.abs(committed);
    }

    private void floats(String file, byte[] a, byte[] b) {
        if (a.length != b.length) {
            differences.add(file + ": " + a.length / 4 + " floats committed, " + b.length / 4 + " regenerated");
            return;
        }
        var fa = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        var fb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int i = 0; i < fa.limit(); i++) {
            if (!close(fa.get(i), fb.get(i))) {
                differences.add(file + "[" + i + "]: " + fa.get(i) + " committed, " + fb.get(i) + " regenerated");
                return;
            }
        }
    }

    private void json(String path, JsonNode a, JsonNode b) {
        if (a.isObject() && b.isObject()) {
            TreeSet<String> ka = new TreeSet<>(a.propertyNames());
            TreeSet<String> kb = new TreeSet<>(b.propertyNames());
            if (!ka.equals(kb)) {
                differences.add(path + ": keys " + ka + " committed, " + kb + " regenerated");
                return;
            }
            boolean computedFile = a.path("file").asString("").endsWith(FLOAT_FILE);
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                if (computedFile && e.getKey().equals("sha256")) {
                    continue; // the file's floats are compared within tolerance instead
                }
                json(path + "." + e.getKey(), e.getValue(), b.get(e.getKey()));
            }
        } else if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                differences.add(path + ": " + a.size() + " elements committed, " + b.size() + " regenerated");
                return;
            }
            Iterator<JsonNode> ia = a.iterator();
            Iterator<JsonNode> ib = b.iterator();
            for (int i = 0; ia.hasNext(); i++) {
                json(path + "[" + i + "]", ia.next(), ib.next());
            }
        } else if (a.isFloatingPointNumber() && b.isNumber()) {
            if (!close(a.asDouble(), b.asDouble())) {
                differences.add(path + ": " + a + " committed, " + b + " regenerated (beyond float tolerance)");
            }
        } else if (!a.equals(b)) {
            differences.add(path + ": " + abbreviate(a) + " committed, " + abbreviate(b) + " regenerated (must be exact)");
        }
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static TreeSet<String> files(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            TreeSet<String> names = new TreeSet<>();
            paths.filter(Files::isRegularFile).forEach(p -> names.add(root.relativize(p).toString().replace('\\', '/')));
            return names;
        }
    }
}
