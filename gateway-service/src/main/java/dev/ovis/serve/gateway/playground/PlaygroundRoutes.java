package dev.ovis.serve.gateway.playground;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

/**
 * The playground: a static page at {@code /playground} (plain HTML, CSS and JS from
 * {@code classpath:playground/}, nothing fetched from elsewhere) that talks to this gateway's
 * public API with the key typed into it, and the index at {@code /} that links to it. Served from
 * its own class-path folder rather than {@code static/}, so that in the one-JVM run the workers,
 * which share the class path, do not serve it too. The pages hold no data; the API calls they
 * make need the key like any other client's.
 */
@Configuration(proxyBeanMethods = false)
class PlaygroundRoutes {

    /** Only this origin's scripts, styles and API; images are the user's own (blob:, data:). */
    private static final String CSP = "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private static final String INDEX = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Ovis Serve</title>
            <link rel="icon" href="data:,"><link rel="stylesheet" href="/playground/playground.css"></head>
            <body>
            <h1>Ovis Serve</h1>
            <p>Ovis2 multimodal serving behind an OpenAI-compatible API.</p>
            <ul>
              <li><a href="/playground">Playground</a>: chat with images and video, OCR, async jobs</li>
              <li><a href="/v1/openapi.yaml">OpenAPI description</a> (needs the API key)</li>
              <li><a href="/actuator/health">Health</a></li>
              <li>Metrics <code>/actuator/prometheus</code> and traces <code>/actuator/traces</code> (admin key)</li>
            </ul>
            </body></html>
            """;

    @Bean
    RouterFunction<ServerResponse> playgroundRouter() {
        Resource page = new ClassPathResource("playground/index.html");
        return RouterFunctions.route(GET("/"), request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                        .header("Content-Security-Policy", CSP).bodyValue(INDEX))
                .andRoute(GET("/playground").or(GET("/playground/")), request -> ServerResponse.ok()
                        .contentType(MediaType.TEXT_HTML).header("Content-Security-Policy", CSP)
                        .header("Cache-Control", "no-cache").bodyValue(page))
                .and(RouterFunctions.resources("/playground/**", new ClassPathResource("playground/")));
    }
}
