package dev.ovis.serve.gateway.auth;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Requires {@code Authorization: Bearer <key>} (as OpenAI clients send it) on every path except
 * {@code /actuator/health/**}, the playground's static page and the index, and attaches the key's
 * {@link Tenant} to the exchange. Refusals are 401 problems with a Bearer challenge. The rest of
 * {@code /actuator} (metrics, traces) needs an admin key ({@code ovis.gateway.auth.admin-keys});
 * without one it answers 404, as if it were not there, so tenants learn nothing about it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiKeyFilter implements WebFilter {

    private static final String BEARER = "Bearer ";
    private static final Map<String, String> CHALLENGE = Map.of(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"ovis-serve\"");

    private final ApiKeys keys;

    public ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (path.equals("/actuator/health") || path.startsWith("/actuator/health/") || isPublicPage(path)) {
            return chain.filter(exchange);
        }
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (path.equals("/actuator") || path.startsWith("/actuator/")) {
            if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                    && keys.isAdmin(header.substring(BEARER.length()).trim())) {
                return chain.filter(exchange);
            }
            return Mono.error(new ApiException(ErrorCode.NOT_FOUND, "no such resource: " + path));
        }
        if (header == null || header.isBlank()) {
            return Mono.error(new ApiException(ErrorCode.UNAUTHORIZED,
                    "missing API key: send 'Authorization: Bearer <key>'", CHALLENGE));
        }
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Mono.error(new ApiException(ErrorCode.UNAUTHORIZED,
                    "the Authorization header must use the Bearer scheme", CHALLENGE));
        }
        Optional<Tenant> tenant = keys.tenant(header.substring(BEARER.length()).trim());
        if (tenant.isEmpty()) {
            return Mono.error(new ApiException(ErrorCode.UNAUTHORIZED, "unknown API key", CHALLENGE));
        }
        exchange.getAttributes().put(Tenant.ATTRIBUTE, tenant.get());
        return chain.filter(exchange);
    }

    /** The index and the playground's static files: they hold no data; the page asks for a key. */
    private static boolean isPublicPage(String path) {
        return path.equals("/") || path.equals("/playground") || path.startsWith("/playground/");
    }
}
