package dev.ovis.serve.gateway.openapi;

import java.io.IOException;
import java.io.InputStream;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves the gateway's hand-written OpenAPI description. It is written by hand because the chat
 * body is read as a JSON tree (for precise errors), which no generator can describe; a test keeps
 * it true by comparing it with the routes the gateway really has.
 */
@RestController
class OpenApiController {

    static final String LOCATION = "openapi/openapi.yaml";

    private final byte[] document;

    OpenApiController() throws IOException {
        try (InputStream in = new ClassPathResource(LOCATION).getInputStream()) {
            this.document = in.readAllBytes();
        }
    }

    @GetMapping("/v1/openapi.yaml")
    ResponseEntity<byte[]> openApi() {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/yaml")).body(document);
    }
}
