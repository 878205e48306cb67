package dev.ovis.serve.gateway;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Strict reading of optional members of a JSON request body, shared by every endpoint that reads a
 * JSON tree: a member that is absent or null gives the fallback; one of the wrong type or out of
 * range is a 400 invalid-request naming its path — never a silent coercion of {@code "5"} into 5.
 */
public final class JsonFields {

    private JsonFields() {
    }

    public static boolean optionalBoolean(JsonNode root, String name, boolean fallback) {
        return optionalBoolean(root, name, fallback, name);
    }

    public static boolean optionalBoolean(JsonNode root, String name, boolean fallback, String path) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + path + "' must be true or false");
        }
        return node.asBoolean();
    }

    public static Integer optionalInt(JsonNode root, String name, int min, int max) {
        return optionalInt(root, name, min, max, name);
    }

    public static Integer optionalInt(JsonNode root, String name, int min, int max, String path) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + path + "' must be an integer");
        }
        int value = node.asInt();
        if (value < min || value > max) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + path + "' must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }

    public static Long optionalLong(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + name + "' must be an integer");
        }
        return node.asLong();
    }

    public static Double optionalNumber(JsonNode root, String name, double min, double max) {
        JsonNode node = root.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + name + "' must be a number");
        }
        double value = node.asDouble();
        if (!(value >= min && value <= max)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + name + "' must be between " + (min == Double.MIN_VALUE ? "0 (exclusive)" : fmt(min))
                    + " and " + fmt(max) + ", was " + value);
        }
        return value;
    }

    /** Where in a body read under {@code root} Jackson failed: {@code " (at payload.messages[0].role)"}, empty at the root. */
    public static String pathOf(JacksonException e, String root) {
        String path = e.getPath().stream()
                .map(reference -> reference.getPropertyName() != null ? "." + reference.getPropertyName() : "[" + reference.getIndex() + "]")
                .reduce(root, String::concat);
        return path.equals(root) ? "" : " (at " + path + ")";
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
