package dev.ovis.serve.gateway.model;

import dev.ovis.serve.common.model.ModelInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /v1/models} in the OpenAI shape, with Ovis extensions (context length, capabilities). */
@RestController
class ModelsController {

    private final ModelCatalog catalog;

    ModelsController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/v1/models")
    Map<String, Object> list() {
        List<Map<String, Object>> data = catalog.available().stream().map(ModelsController::model).toList();
        return Map.of("object", "list", "data", data);
    }

    @GetMapping("/v1/models/{id}")
    Map<String, Object> one(@PathVariable String id) {
        return model(catalog.require(id));
    }

    private static Map<String, Object> model(ModelInfo info) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("id", info.id());
        model.put("object", "model");
        model.put("created", info.announcedAt().getEpochSecond());
        model.put("owned_by", "ovis-serve");
        model.put("family", info.family());
        model.put("context_length", info.contextLength());
        model.put("capabilities", info.capabilities());
        model.put("random_weights", info.randomWeights());
        return model;
    }
}
