package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Turns an OpenAI chat-completions body into a chat job, so {@code POST /v1/jobs} accepts
 * {@code {"kind": "chat", "request": {...the chat body...}}} exactly as the chat endpoint reads it
 * (implemented by the chat feature; declared here so jobs do not depend on chat).
 */
public interface ChatRequests {

    /** A job ready to submit. */
    record Prepared(JobPayload payload, Route route) {
    }

    Mono<Prepared> prepareJob(String tenant, JsonNode chatCompletionsBody);

    /**
     * Checks a raw chat task ({@code POST /v1/jobs} with {@code payload}) by the same rules as the
     * chat endpoint — model, {@code max_tokens}, roles, media parts, context — and plans its route.
     */
    Mono<Prepared> checkTask(String tenant, ChatTask task);
}
