package dev.ovis.serve.gateway.model;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.model.ModelInfo;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The models llm instances announce they serve ({@code ovis.models.v1}), as this gateway last heard
 * of them. A model not re-announced within the time-to-live is gone (its instances stopped).
 */
public class ModelCatalog {

    private final Map<String, ModelInfo> models = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;

    public ModelCatalog(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Records an announcement (a newer one replaces an older one). */
    void announce(ModelInfo info) {
        models.merge(info.id(), info, (old, fresh) -> fresh.announcedAt().isAfter(old.announcedAt()) ? fresh : old);
    }

    /** The models served now, by id. */
    public List<ModelInfo> available() {
        var horizon = clock.instant().minus(ttl);
        return models.values().stream().filter(m -> m.announcedAt().isAfter(horizon))
                .sorted(Comparator.comparing(ModelInfo::id)).toList();
    }

    /** The model {@code id}, or a 404 UNKNOWN_MODEL problem naming the models that are served. */
    public ModelInfo require(String id) {
        List<ModelInfo> served = available();
        return served.stream().filter(m -> m.id().equals(id)).findFirst()
                .orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_MODEL, "model '" + id + "' is not served here"
                        + (served.isEmpty() ? " (no model is loaded yet: is an llm-service running?)"
                                : "; available: " + served.stream().map(ModelInfo::id).toList())));
    }
}
