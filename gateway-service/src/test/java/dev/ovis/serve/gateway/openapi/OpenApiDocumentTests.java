package dev.ovis.serve.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps the hand-written OpenAPI description true: every route a controller of the gateway maps is
 * documented with its method, and every documented operation exists.
 */
class OpenApiDocumentTests {

    @Test
    void documentsExactlyTheRoutesTheGatewayServes() throws Exception {
        assertThat(documented()).isEqualTo(served());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationAnswersErrorsAsProblems() throws Exception {
        Map<String, Object> paths = (Map<String, Object>) document().get("paths");
        paths.forEach((path, operations) -> ((Map<String, Object>) operations).forEach((method, operation) -> {
            Map<String, Object> responses = (Map<String, Object>) ((Map<String, Object>) operation).get("responses");
            assertThat(responses).as(method + " " + path).isNotEmpty();
            responses.forEach((status, response) -> {
                if (status.startsWith("4") || status.startsWith("5")) {
                    assertThat(response.toString()).as(method + " " + path + " " + status).contains("#/components/responses/Problem");
                }
            });
        }));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> document() throws Exception {
        try (InputStream in = new ClassPathResource(OpenApiController.LOCATION).getInputStream()) {
            return new Yaml().load(in);
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> documented() throws Exception {
        Set<String> routes = new TreeSet<>();
        Map<String, Object> paths = (Map<String, Object>) document().get("paths");
        paths.forEach((path, operations) -> ((Map<String, Object>) operations).keySet()
                .forEach(method -> routes.add(method.toUpperCase(Locale.ROOT) + " " + path)));
        return routes;
    }

    private static Set<String> served() throws Exception {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        Set<String> routes = new TreeSet<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents("dev.ovis.serve.gateway")) {
            Class<?> controller = Class.forName(candidate.getBeanClassName());
            for (Method method : controller.getDeclaredMethods()) {
                RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
                if (mapping == null) {
                    continue;
                }
                for (var verb : mapping.method()) {
                    for (String path : mapping.path()) {
                        routes.add(verb.name() + " " + path);
                    }
                }
            }
        }
        assertThat(routes).as("controllers found").isNotEmpty();
        return routes;
    }
}
