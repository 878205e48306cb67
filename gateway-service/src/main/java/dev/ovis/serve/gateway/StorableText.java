package dev.ovis.serve.gateway;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Text that PostgreSQL can store. Its {@code text} and {@code jsonb} types refuse U+0000 (and the
 * {@code \u0000} escape inside jsonb), and an unpaired UTF-16 surrogate cannot be encoded as UTF-8
 * at all (the driver would silently write '?'). Input carrying either is refused up front with a
 * 400 naming the field ({@link #requireStorable}); output we must keep (a model's answer, a
 * stage's failure detail) has U+0000 replaced by U+FFFD, the Unicode replacement character.
 */
public final class StorableText {

    /** The replacement for U+0000 in stored and sent output. */
    public static final char REPLACEMENT = '\uFFFD';

    /** {@code \u0000} in JSON text, preceded by an even number of backslashes (so not itself escaped). */
    private static final Pattern ESCAPED_NUL = Pattern.compile("(?<!\\\\)((?:\\\\\\\\)*)\\\\u0000");

    private StorableText() {
    }

    /**
     * Refuses a parsed request body whose strings (member names included) hold U+0000 or an
     * unpaired surrogate: 400 invalid-request naming the JSON path of the first such string.
     */
    public static void requireStorable(JsonNode root, String rootPath) {
        check(root, rootPath);
    }

    /** Refuses one plain string (a form field, a header value) like {@link #requireStorable(JsonNode, String)}. */
    public static void requireStorable(String value, String path) {
        String problem = problem(value);
        if (problem != null) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + path + "' " + problem);
        }
    }

    /** {@code text} with every U+0000 replaced by U+FFFD; {@code null} stays {@code null}. */
    public static String replaceNul(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', REPLACEMENT);
    }

    /** JSON text whose escaped NULs ({@code \u0000}) are rewritten as {@code \ufffd}, so jsonb accepts it. */
    public static String replaceNulInJson(String json) {
        if (json == null || !json.contains("\\u0000")) {
            return json;
        }
        Matcher matcher = ESCAPED_NUL.matcher(json);
        return matcher.replaceAll("$1\\\\ufffd");
    }

    private static void check(JsonNode node, String path) {
        if (node.isString()) {
            requireStorable(node.asString(), path);
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                String here = path.isEmpty() ? member.getKey() : path + "." + member.getKey();
                String nameProblem = problem(member.getKey());
                if (nameProblem != null) {
                    throw new ApiException(ErrorCode.INVALID_REQUEST, "a member name in '" + (path.isEmpty() ? "the body" : path)
                            + "' " + nameProblem);
                }
                check(member.getValue(), here);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), path + "[" + i + "]");
            }
        }
    }

    /** Why {@code value} cannot be stored, or {@code null} when it can. */
    private static String problem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                return "contains U+0000 (NUL) at character " + i + ", which cannot be stored; remove it";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                    continue;
                }
                return "contains an unpaired surrogate (U+" + Integer.toHexString(c).toUpperCase() + ") at character " + i
                        + ", which is not valid Unicode text";
            }
            if (Character.isLowSurrogate(c)) {
                return "contains an unpaired surrogate (U+" + Integer.toHexString(c).toUpperCase() + ") at character " + i
                        + ", which is not valid Unicode text";
            }
        }
        return null;
    }
}
