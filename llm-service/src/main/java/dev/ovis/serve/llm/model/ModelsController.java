package dev.ovis.serve.llm.model;

import dev.ovis.serve.llm.decode.DecodeEngine;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /internal/models}: the model this llm-service runs, for the gateway's
 * {@code GET /v1/models} (internal: not exposed through the gateway as is).
 */
@RestController
class ModelsController {

    /**
     * One loaded model.
     *
     * @param id                    the id clients name
     * @param contextLength         the model's context in positions
     * @param maxPromptPositions    the longest prompt accepted now (context and KV budget, minus one)
     * @param kvBytesPerToken       KV memory per position
     * @param capabilities          what requests may contain and ask for
     */
    record ModelInfo(String id, int contextLength, int maxPromptPositions, long kvBytesPerToken, List<String> capabilities) {
    }

    /** @param data the loaded models (one per llm-service) */
    record ModelList(List<ModelInfo> data) {
    }

    private final LlmModel model;
    private final DecodeEngine engine;

    ModelsController(LlmModel model, DecodeEngine engine) {
        this.model = model;
        this.engine = engine;
    }

    @GetMapping("/internal/models")
    ModelList models() {
        return new ModelList(List.of(new ModelInfo(model.id(), model.contextLength(), engine.usablePromptPositions(),
                engine.kvBytesPerToken(), model.capabilities())));
    }
}
