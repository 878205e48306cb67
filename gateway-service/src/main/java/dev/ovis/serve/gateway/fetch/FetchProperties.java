package dev.ovis.serve.gateway.fetch;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How the gateway fetches media from URLs given in requests ({@code ovis.gateway.fetch.*}).
 * Defaults are safe for the internet: https only; private, loopback, link-local, metadata and
 * other non-public addresses refused.
 *
 * @param connectTimeout  TCP + TLS connect limit
 * @param readTimeout     longest silence while reading the body
 * @param totalTimeout    whole fetch, redirects included
 * @param maxBytes        largest body accepted (413 beyond); {@code null} = the media upload limit
 * @param maxRedirects    redirects followed, each one re-checked
 * @param allowHttp       also allow plain {@code http://} (off: only https)
 * @param allowedNetworks CIDRs (e.g. {@code 10.1.0.0/16}, {@code 127.0.0.1/32}) allowed although not public
 * @param userAgent       the User-Agent sent
 */
@Validated
@ConfigurationProperties("ovis.gateway.fetch")
public record FetchProperties(
        @DefaultValue("5s") @NotNull Duration connectTimeout,
        @DefaultValue("10s") @NotNull Duration readTimeout,
        @DefaultValue("30s") @NotNull Duration totalTimeout,
        DataSize maxBytes,
        @DefaultValue("3") @Min(0) @Max(10) int maxRedirects,
        @DefaultValue("false") boolean allowHttp,
        @DefaultValue List<String> allowedNetworks,
        @DefaultValue("OvisServe/1.0 (media fetcher)") String userAgent) {

    public FetchProperties {
        allowedNetworks = allowedNetworks == null ? List.of() : List.copyOf(allowedNetworks);
    }
}
