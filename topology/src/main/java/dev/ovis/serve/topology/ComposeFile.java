package dev.ovis.serve.topology;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;

/**
 * The services of {@code docker-compose.yml} as the topology needs them: each one's environment,
 * with Compose's {@code ${NAME:-default}} variables resolved, and its memory limit. Reading the
 * file itself (anchors and merge keys included) keeps the topology configured exactly as Compose
 * configures the containers.
 */
final class ComposeFile {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?::?-([^}]*))?}");

    private final Map<String, Object> services;

    private ComposeFile(Map<String, Object> services) {
        this.services = services;
    }

    @SuppressWarnings("unchecked")
    static ComposeFile read(Path file) {
        try (Reader reader = Files.newBufferedReader(file)) {
            Map<String, Object> root = new Yaml().load(reader);
            Object services = root == null ? null : root.get("services");
            if (!(services instanceof Map)) {
                throw new IllegalStateException(file + " has no services");
            }
            return new ComposeFile((Map<String, Object>) services);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * The environment Compose gives {@code service}, variables resolved by {@code variables} (an
     * unknown one without a default is empty, as in Compose).
     */
    Map<String, String> environment(String service, Function<String, String> variables) {
        Object environment = service(service).get("environment");
        Map<String, String> resolved = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> map) {
            map.forEach((name, value) -> resolved.put(String.valueOf(name),
                    value == null ? "" : interpolate(String.valueOf(value), variables)));
        }
        return resolved;
    }

    /** The service's {@code mem_limit} in bytes; 0 when it has none. */
    long memoryLimit(String service) {
        Object limit = service(service).get("mem_limit");
        return limit == null ? 0 : bytes(String.valueOf(limit));
    }

    private Map<?, ?> service(String name) {
        if (!(services.get(name) instanceof Map<?, ?> service)) {
            throw new IllegalArgumentException("docker-compose.yml has no service " + name);
        }
        return service;
    }

    static String interpolate(String value, Function<String, String> variables) {
        Matcher m = VARIABLE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String given = variables.apply(m.group(1));
            String replacement = given != null && !given.isEmpty() ? given : m.group(2) != null ? m.group(2) : "";
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    static long bytes(String size) {
        String s = size.trim().toLowerCase();
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        String digits = unit == 1 ? s : s.substring(0, s.length() - 1);
        return Long.parseLong(digits) * unit;
    }
}
