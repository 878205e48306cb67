package dev.ovis.serve.common.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A model an llm-service instance has loaded and serves, announced on
 * {@link dev.ovis.serve.common.Topics#MODELS} (compacted, keyed by model id) at start-up and then
 * periodically, so gateways can list it and route to it. A model not re-announced within the
 * gateway's time-to-live is considered gone.
 *
 * @param id            the model id clients name in {@code model}
 * @param family        e.g. {@code ovis2-1b}, or {@code ovis2-tiny-random} for a random-weight build
 * @param contextLength most LLM positions a prompt plus its completion may take
 * @param capabilities  what it accepts: {@code text}, {@code image}, {@code video}
 * @param randomWeights whether it is a random-weight build (answers are not meaningful)
 * @param announcedAt   when this announcement was made
 */
public record ModelInfo(String id, String family, int contextLength, List<String> capabilities, boolean randomWeights,
                        Instant announcedAt) {

    public ModelInfo {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("model id must not be blank");
        }
        if (contextLength <= 0) {
            throw new IllegalArgumentException("contextLength must be > 0");
        }
        capabilities = List.copyOf(Objects.requireNonNull(capabilities, "capabilities"));
        Objects.requireNonNull(announcedAt, "announcedAt");
    }
}
