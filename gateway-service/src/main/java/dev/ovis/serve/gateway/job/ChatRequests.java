package dev.ovis.serve.gateway.job;

import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chat feature's way in for chat jobs that do not come through {@code /v1/chat/completions}
 * (implemented by the chat feature; declared here so jobs do not depend on chat). The chat feature
 * validates every chat, whatever its form: the job side never reads or checks a chat itself.
 */
public interface ChatRequests {

    /** A job ready to submit. */
    record Prepared(JobPayload payload, Route route) {
    }

    /**
     * Resolves the {@code "media"} ids of a payload into the tenant's uploads (the rule every job
     * kind shares: clients never name object keys), answering the payload with each id replaced.
     */
    @FunctionalInterface
    interface MediaIds {
        Mono<ObjectNode> resolve(ObjectNode payload);
    }

    /**
     * An OpenAI chat-completions body ({@code POST /v1/jobs} with {@code "request"}, a batch line),
     * read and checked exactly as the chat endpoint reads it.
     */
    Mono<Prepared> prepareJob(String tenant, JsonNode chatCompletionsBody);

    /**
     * A raw chat task ({@code POST /v1/jobs} with {@code "payload"}, shaped like {@code ChatTask}
     * with media by id): its members are checked by name, then {@code media} resolves the ids, then
     * the task is checked by the chat endpoint's rules (model, {@code maxTokens}, roles, media
     * parts, context) and its route planned.
     */
    Mono<Prepared> prepareTask(String tenant, ObjectNode payload, MediaIds media);
}
