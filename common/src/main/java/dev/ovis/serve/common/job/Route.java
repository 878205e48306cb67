package dev.ovis.serve.common.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ordered stages a job passes through, e.g. {@code VIDEO → VISION → LLM}. Each stage does its
 * work and forwards the request to the next stage's topic; the last one reports the result. Which
 * route a job takes is the gateway's decision ({@code gateway.route.RoutePlanner}); this is only
 * the data.
 *
 * @param stages at least one stage, no repeats
 */
public record Route(List<Stage> stages) {

    public Route {
        if (stages == null || stages.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one stage");
        }
        if (stages.stream().distinct().count() != stages.size()) {
            throw new IllegalArgumentException("a route must not repeat a stage: " + stages);
        }
        stages = List.copyOf(stages);
    }

    /** Parses {@code "video>vision>llm"} (the form stored in the database). */
    public static Route parse(String text) {
        List<Stage> parsed = new ArrayList<>();
        for (String part : text.split(">")) {
            parsed.add(Stage.valueOf(part.trim().toUpperCase(java.util.Locale.ROOT)));
        }
        return new Route(parsed);
    }

    /** The first stage. */
    public Stage first() {
        return stages.getFirst();
    }

    /** The stage after {@code current}, empty when {@code current} is the last one. */
    public Optional<Stage> after(Stage current) {
        int index = stages.indexOf(current);
        if (index < 0) {
            throw new IllegalArgumentException(current + " is not on route " + this);
        }
        return index + 1 < stages.size() ? Optional.of(stages.get(index + 1)) : Optional.empty();
    }

    /** {@code "video>vision>llm"}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Stage stage : stages) {
            if (!out.isEmpty()) {
                out.append('>');
            }
            out.append(stage.name().toLowerCase(java.util.Locale.ROOT));
        }
        return out.toString();
    }
}
