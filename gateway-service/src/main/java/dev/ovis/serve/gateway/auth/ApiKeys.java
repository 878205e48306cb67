package dev.ovis.serve.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * API key → tenant, from {@code ovis.gateway.auth.keys}. Keys are kept as SHA-256 digests so a
 * lookup takes the same time whatever prefix a guess shares with a real key. With no key
 * configured, one random key for tenant {@code default} is generated and logged, so a local run
 * is usable at once and still never open; where that is off ({@code ovis.gateway.auth.generate-key=false},
 * as in every image and cluster manifest) the gateway refuses to start instead.
 */
@Component
public class ApiKeys {

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    public static final String DEFAULT_TENANT = "default";

    private final Map<String, String> tenantByDigest = new HashMap<>();
    private final Set<String> adminDigests = new HashSet<>();

    public ApiKeys(AuthProperties properties) {
        Map<String, String> keys = properties.keys();
        if (keys.isEmpty() && !properties.generateKey()) {
            throw new IllegalStateException("No API key configured and ovis.gateway.auth.generate-key=false: "
                    + "set ovis.gateway.auth.keys, e.g. SPRING_APPLICATION_JSON="
                    + "{\"ovis\":{\"gateway\":{\"auth\":{\"keys\":{\"<key>\":\"<tenant>\"}}}}} "
                    + "(docker compose: OVIS_API_KEYS_JSON; Kubernetes: the Secret ovis-api-keys), "
                    + "or allow a generated key with ovis.gateway.auth.generate-key=true");
        }
        if (keys.isEmpty()) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            String key = "ovis-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            tenantByDigest.put(digest(key), DEFAULT_TENANT);
            log.warn("No API key configured (ovis.gateway.auth.keys): generated API key for tenant '{}': {}",
                    DEFAULT_TENANT, key);
        } else {
            keys.forEach((key, tenant) -> {
                if (key.isBlank() || tenant == null || tenant.isBlank()) {
                    throw new IllegalArgumentException("ovis.gateway.auth.keys: blank key or tenant");
                }
                tenantByDigest.put(digest(key), tenant);
            });
            log.info("{} API key(s) configured for {} tenant(s)", keys.size(), keys.values().stream().distinct().count());
        }
        for (String key : properties.adminKeys()) {
            if (key == null || key.isBlank()) {
                throw new IllegalArgumentException("ovis.gateway.auth.admin-keys: blank key");
            }
            if (tenantByDigest.containsKey(digest(key))) {
                throw new IllegalArgumentException("ovis.gateway.auth.admin-keys: a key is also a tenant's API key");
            }
            adminDigests.add(digest(key));
        }
        if (adminDigests.isEmpty()) {
            log.info("No admin key configured (ovis.gateway.auth.admin-keys): /actuator is closed but for health");
        }
    }

    /** Whether {@code key} is an admin key (opens {@code /actuator/**}). */
    public boolean isAdmin(String key) {
        return adminDigests.contains(digest(key));
    }

    /** The tenant owning {@code key}, empty for an unknown key. */
    public Optional<Tenant> tenant(String key) {
        return Optional.ofNullable(tenantByDigest.get(digest(key))).map(Tenant::new);
    }

    private static String digest(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
