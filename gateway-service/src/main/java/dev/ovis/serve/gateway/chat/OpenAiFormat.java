package dev.ovis.serve.gateway.chat;

import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.TokenLogprob;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.gateway.StorableText;
import dev.ovis.serve.gateway.problem.Problem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes chat completions, stream chunks and in-stream errors in the exact JSON shapes of OpenAI's
 * chat-completions API, so existing SDKs parse them.
 */
public final class OpenAiFormat {

    private final JsonMapper json;

    public OpenAiFormat(JsonMapper json) {
        this.json = json;
    }

    /** A whole {@code chat.completion}. */
    public ObjectNode completion(String jobId, long created, String model, ChatResult result, boolean withLogprobs) {
        ObjectNode root = header(jobId, "chat.completion", created, model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", StorableText.replaceNul(result.text()));
        message.putNull("refusal");
        if (withLogprobs) {
            choice.set("logprobs", logprobs(result.logprobs()));
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", finishReason(result.finishReason()));
        root.set("usage", usage(result.usage()));
        return root;
    }

    /** A {@code chat.completion.chunk} carrying new text (and the role on the first one). */
    ObjectNode delta(String jobId, long created, String model, String text, boolean first, List<TokenLogprob> logprobs,
                     boolean withLogprobs, FinishReason finish, boolean includeUsage) {
        ObjectNode root = header(jobId, "chat.completion.chunk", created, model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
        }
        if (!text.isEmpty() || first) {
            delta.put("content", StorableText.replaceNul(text));
        }
        if (withLogprobs && !logprobs.isEmpty()) {
            choice.set("logprobs", logprobs(logprobs));
        } else {
            choice.putNull("logprobs");
        }
        if (finish != null) {
            choice.put("finish_reason", finishReason(finish));
        } else {
            choice.putNull("finish_reason");
        }
        if (includeUsage) {
            root.putNull("usage");
        }
        return root;
    }

    /** The usage-only last chunk of a stream with {@code stream_options.include_usage}. */
    ObjectNode usageChunk(String jobId, long created, String model, Usage usage) {
        ObjectNode root = header(jobId, "chat.completion.chunk", created, model);
        root.putArray("choices");
        root.set("usage", usage(usage));
        return root;
    }

    /** An error inside an already started stream, as OpenAI sends it: {@code {"error": {...}}}. */
    ObjectNode streamError(Failure failure) {
        ObjectNode root = json.createObjectNode();
        root.set("error", json.valueToTree(Problem.openAiError(failure.code(), failure.detail())));
        return root;
    }

    String write(ObjectNode node) {
        return json.writeValueAsString(node);
    }

    private ObjectNode header(String jobId, String object, long created, String model) {
        ObjectNode root = json.createObjectNode();
        root.put("id", "chatcmpl-" + jobId);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        root.putNull("system_fingerprint");
        return root;
    }

    private ObjectNode usage(Usage usage) {
        ObjectNode node = json.createObjectNode();
        node.put("prompt_tokens", usage.promptTokens());
        node.put("completion_tokens", usage.completionTokens());
        node.put("total_tokens", usage.totalTokens());
        return node;
    }

    private ObjectNode logprobs(List<TokenLogprob> tokens) {
        ObjectNode node = json.createObjectNode();
        ArrayNode content = node.putArray("content");
        for (TokenLogprob token : tokens) {
            ObjectNode entry = content.addObject();
            entry.put("token", token.token());
            entry.put("logprob", token.logprob());
            ArrayNode bytes = entry.putArray("bytes");
            for (byte b : token.token().getBytes(StandardCharsets.UTF_8)) {
                bytes.add(b & 0xff);
            }
            entry.putArray("top_logprobs");
        }
        node.putNull("refusal");
        return node;
    }

    /** OpenAI has no "cancelled": a cancelled answer ended early, which clients read as "stop". */
    private static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }
}
