package dev.ovis.serve.video.keyframe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The reference selections of {@code mdp3-golden.json} (a copy of the shared conformance data). */
record Mdp3Golden(String name, double[][] frames, double[] query, int count, int segmentSize, int[] selected) {

    static List<Mdp3Golden> load() {
        try (InputStream in = Mdp3Golden.class.getResourceAsStream("/mdp3-golden.json")) {
            JsonNode root = JsonMapper.builder().build().readTree(in);
            return root.get("cases").valueStream().map(Mdp3Golden::of).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Mdp3Golden of(JsonNode c) {
        double[][] frames = c.get("frames").valueStream().map(Mdp3Golden::vector).toArray(double[][]::new);
        int[] selected = c.get("selected").valueStream().mapToInt(JsonNode::asInt).toArray();
        String name = "N=" + frames.length + " k=" + c.get("n_selection").asInt() + " m=" + c.get("segment_size").asInt();
        return new Mdp3Golden(name, frames, vector(c.get("query")), c.get("n_selection").asInt(),
                c.get("segment_size").asInt(), selected);
    }

    private static double[] vector(JsonNode node) {
        return node.valueStream().mapToDouble(JsonNode::asDouble).toArray();
    }

    @Override
    public String toString() {
        return name;
    }
}
