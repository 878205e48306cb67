package dev.ovis.serve.gateway.chat;

import dev.ovis.serve.common.OvisLimits;
import dev.ovis.serve.common.chat.PartType;
import dev.ovis.serve.common.chat.Role;
import dev.ovis.serve.common.chat.SamplingParams;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.JsonFields;
import dev.ovis.serve.gateway.problem.ApiException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Reads an OpenAI chat-completions body strictly: unknown members are ignored (clients send many),
 * but a known member of the wrong type or out of range is refused with a 400 naming its JSON path —
 * no silent coercion of {@code "5"} into 5. Ovis extensions: {@code max_partition} (top level or per
 * {@code image_url}), {@code frames} (top level or per {@code video_url}), {@code reasoning},
 * {@code top_k}, {@code repetition_penalty}.
 */
final class ChatRequestReader {

    static final int MAX_STOP_STRINGS = 4;

    private final int defaultMaxTokens;
    private final int maxTokensLimit;

    ChatRequestReader(int defaultMaxTokens, int maxTokensLimit) {
        this.defaultMaxTokens = defaultMaxTokens;
        this.maxTokensLimit = maxTokensLimit;
    }

    ChatRequest read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw invalid("the body must be a JSON object");
        }
        String model = requiredString(root, "model");
        refuseUnsupported(root);
        Integer maxPartition = JsonFields.optionalInt(root, "max_partition", OvisLimits.MIN_PARTITION, OvisLimits.MAX_PARTITION);
        Integer frames = JsonFields.optionalInt(root, "frames", OvisLimits.MIN_FRAMES, OvisLimits.MAX_FRAMES);
        List<ChatRequest.Message> messages = messages(root.get("messages"), maxPartition, frames);
        boolean stream = JsonFields.optionalBoolean(root, "stream", false);
        boolean includeUsage = false;
        JsonNode options = root.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw invalid("'stream_options' must be an object");
            }
            includeUsage = JsonFields.optionalBoolean(options, "include_usage", false, "stream_options.include_usage");
        }
        return new ChatRequest(model, messages, sampling(root), stream, includeUsage);
    }

    private SamplingParams sampling(JsonNode root) {
        Integer maxTokens = JsonFields.optionalInt(root, "max_completion_tokens", 1, maxTokensLimit);
        if (maxTokens == null) {
            maxTokens = JsonFields.optionalInt(root, "max_tokens", 1, maxTokensLimit);
        }
        Integer n = JsonFields.optionalInt(root, "n", 1, Integer.MAX_VALUE);
        if (n != null && n != 1) {
            throw invalid("'n' must be 1: one choice per request is supported");
        }
        Integer topLogprobs = JsonFields.optionalInt(root, "top_logprobs", 0, 20);
        if (topLogprobs != null && topLogprobs > 0) {
            throw invalid("'top_logprobs' is not supported: only the chosen tokens' log-probabilities are returned");
        }
        Double temperature = JsonFields.optionalNumber(root, "temperature", 0, 2);
        Double topP = JsonFields.optionalNumber(root, "top_p", Double.MIN_VALUE, 1);
        Integer topK = JsonFields.optionalInt(root, "top_k", 0, Integer.MAX_VALUE);
        Double penalty = JsonFields.optionalNumber(root, "repetition_penalty", Double.MIN_VALUE, 10);
        Long seed = JsonFields.optionalLong(root, "seed");
        return new SamplingParams(maxTokens != null ? maxTokens : defaultMaxTokens,
                temperature != null ? temperature : 0, topP != null ? topP : 1, topK != null ? topK : 0,
                penalty != null ? penalty : 1, seed, stop(root.get("stop")),
                JsonFields.optionalBoolean(root, "logprobs", false), JsonFields.optionalBoolean(root, "reasoning", false));
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isString()) {
            return List.of(nonEmpty(node.asString(), "stop"));
        }
        if (!node.isArray() || node.size() > MAX_STOP_STRINGS) {
            throw invalid("'stop' must be a string or an array of at most " + MAX_STOP_STRINGS + " strings");
        }
        List<String> stops = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isString()) {
                throw invalid("'stop[" + i + "]' must be a string");
            }
            stops.add(nonEmpty(node.get(i).asString(), "stop[" + i + "]"));
        }
        return stops;
    }

    private static void refuseUnsupported(JsonNode root) {
        JsonNode tools = root.get("tools");
        if (tools != null && !tools.isNull() && !(tools.isArray() && tools.isEmpty())) {
            throw invalid("'tools' (function calling) is not supported by Ovis2");
        }
        JsonNode format = root.get("response_format");
        if (format != null && !format.isNull()) {
            JsonNode type = format.get("type");
            if (type == null || !type.isString() || !type.asString().equals("text")) {
                throw invalid("'response_format' other than {\"type\": \"text\"} is not supported");
            }
        }
    }

    private List<ChatRequest.Message> messages(JsonNode node, Integer maxPartition, Integer frames) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw invalid("'messages' must be a non-empty array");
        }
        List<ChatRequest.Message> messages = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "messages[" + i + "]";
            JsonNode message = node.get(i);
            if (!message.isObject()) {
                throw invalid("'" + path + "' must be an object");
            }
            Role role = role(message.get("role"), path);
            List<ChatRequest.Part> parts = content(message.get("content"), path, role, maxPartition, frames);
            messages.add(new ChatRequest.Message(role, parts));
        }
        if (messages.getLast().role() == Role.ASSISTANT) {
            throw invalid("the last message must not be the assistant's: the model answers the conversation as it stands");
        }
        return messages;
    }

    private static Role role(JsonNode node, String path) {
        if (node == null || !node.isString()) {
            throw invalid("'" + path + ".role' must be one of system, developer, user, assistant");
        }
        return switch (node.asString()) {
            case "system", "developer" -> Role.SYSTEM;
            case "user" -> Role.USER;
            case "assistant" -> Role.ASSISTANT;
            case "tool", "function" -> throw invalid("'" + path + ".role' " + node.asString()
                    + " is not supported: Ovis2 has no tool calling");
            default -> throw invalid("'" + path + ".role' must be one of system, developer, user, assistant, not '"
                    + node.asString() + "'");
        };
    }

    private static List<ChatRequest.Part> content(JsonNode node, String path, Role role, Integer maxPartition, Integer frames) {
        if (node == null || node.isNull()) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "'" + path + ".content' is required");
        }
        if (node.isString()) {
            return List.of(new ChatRequest.Part(PartType.TEXT, node.asString(), null, null, null, path + ".content"));
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "'" + path + ".content' must be a string or a non-empty array of parts");
        }
        List<ChatRequest.Part> parts = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            parts.add(part(node.get(i), path + ".content[" + i + "]", role, maxPartition, frames));
        }
        return parts;
    }

    private static ChatRequest.Part part(JsonNode node, String path, Role role, Integer maxPartition, Integer frames) {
        if (!node.isObject() || node.get("type") == null || !node.get("type").isString()) {
            throw badPart(path, "must be an object with a string 'type'");
        }
        String type = node.get("type").asString();
        return switch (type) {
            case "text" -> {
                JsonNode text = node.get("text");
                if (text == null || !text.isString()) {
                    throw badPart(path + ".text", "must be a string");
                }
                yield new ChatRequest.Part(PartType.TEXT, text.asString(), null, null, null, path);
            }
            case "image_url" -> {
                requireUser(role, path, "images");
                JsonNode image = node.get("image_url");
                String url = url(image, path + ".image_url");
                Integer own = image.isObject() ? JsonFields.optionalInt(image, "max_partition", OvisLimits.MIN_PARTITION, OvisLimits.MAX_PARTITION,
                        path + ".image_url.max_partition") : null;
                yield new ChatRequest.Part(PartType.IMAGE, null, url, own != null ? own : maxPartition, null, path);
            }
            case "video_url" -> {
                requireUser(role, path, "videos");
                JsonNode video = node.get("video_url");
                String url = url(video, path + ".video_url");
                Integer own = video.isObject() ? JsonFields.optionalInt(video, "frames", OvisLimits.MIN_FRAMES, OvisLimits.MAX_FRAMES,
                        path + ".video_url.frames") : null;
                yield new ChatRequest.Part(PartType.VIDEO, null, url, null, own != null ? own : frames, path);
            }
            default -> throw badPart(path + ".type", "'" + type + "' is not supported; use text, image_url or video_url");
        };
    }

    private static String url(JsonNode node, String path) {
        JsonNode url = node == null ? null : node.isObject() ? node.get("url") : node;
        if (url == null || !url.isString() || url.asString().isBlank()) {
            throw badPart(path + ".url", "must be a non-empty string: an https URL, a data: URI or a media id from POST /v1/media");
        }
        return url.asString().trim();
    }

    private static void requireUser(Role role, String path, String what) {
        if (role != Role.USER) {
            throw badPart(path, what + " are accepted in user messages only");
        }
    }

    private static String requiredString(JsonNode root, String name) {
        JsonNode node = root.get(name);
        if (node == null || !node.isString() || node.asString().isBlank()) {
            throw invalid("'" + name + "' must be a non-empty string");
        }
        return node.asString();
    }

    private static String nonEmpty(String value, String path) {
        if (value.isEmpty()) {
            throw invalid("'" + path + "' must not be empty");
        }
        return value;
    }

    private static ApiException badPart(String path, String problem) {
        return new ApiException(ErrorCode.INVALID_CONTENT_PART, "'" + path + "' " + problem);
    }

    private static ApiException invalid(String detail) {
        return new ApiException(ErrorCode.INVALID_REQUEST, detail);
    }

}
