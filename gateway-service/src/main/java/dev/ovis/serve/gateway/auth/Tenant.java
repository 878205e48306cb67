package dev.ovis.serve.gateway.auth;

import org.springframework.web.server.ServerWebExchange;

/**
 * The authenticated owner of a request. Controllers take it as a method argument (resolved by
 * {@link TenantArgumentResolver}); every job and media query is scoped by it.
 *
 * @param id the tenant id, as configured for the API key
 */
public record Tenant(String id) {

    static final String ATTRIBUTE = Tenant.class.getName();

    public Tenant {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("tenant id must not be blank");
        }
    }

    /** The tenant the {@link ApiKeyFilter} attached to this exchange. */
    public static Tenant of(ServerWebExchange exchange) {
        Tenant tenant = exchange.getAttribute(ATTRIBUTE);
        if (tenant == null) {
            throw new IllegalStateException("no tenant on " + exchange.getRequest().getPath() + ": is the path public?");
        }
        return tenant;
    }
}
