package dev.ovis.serve.gateway.chat;

import dev.ovis.serve.common.chat.ChatMessage;
import dev.ovis.serve.common.chat.ChatTask;
import dev.ovis.serve.common.chat.ContentPart;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.JobPayload;
import dev.ovis.serve.common.job.Route;
import dev.ovis.serve.common.media.MediaRef;
import dev.ovis.serve.common.model.ModelInfo;
import dev.ovis.serve.gateway.job.ChatRequests;
import dev.ovis.serve.gateway.job.JobService;
import dev.ovis.serve.gateway.job.JobSinks;
import dev.ovis.serve.gateway.media.MediaSourceResolver;
import dev.ovis.serve.gateway.model.ModelCatalog;
import dev.ovis.serve.gateway.problem.ApiException;
import dev.ovis.serve.gateway.route.RoutePlanner;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs chat completions on the job machinery: validates the OpenAI body, resolves its media into
 * the object store, plans the route (text → llm; images → vision, llm; video → video, vision, llm),
 * submits the job with this gateway as {@code replyTo}, and turns what comes back on this instance's
 * stream topic (chunks, the answer's last one, or a failure at any stage) into {@link ChatSignal}s. A waiting client that goes
 * away, or a timeout, cancels the job.
 */
@Service
public class ChatService implements ChatRequests {

    private static final Logger log = LoggerFactory.getLogger(ChatService.class);

    /** A chat job ready to submit. */
    public record Prepared(ChatRequest request, JobPayload payload, Route route, ModelInfo model) {
    }

    /** A submitted chat job. */
    record Started(String jobId, Prepared prepared, long created) {
    }

    private final JobService jobs;
    private final MediaSourceResolver sources;
    private final ModelCatalog catalog;
    private final ChatProperties properties;
    private final ChatRequestReader reader;
    private final ChatLimits limits;
    private final ChatTaskReader taskReader;

    ChatService(JobService jobs, MediaSourceResolver sources, ModelCatalog catalog, ChatProperties properties, JsonMapper json) {
        this.jobs = jobs;
        this.sources = sources;
        this.catalog = catalog;
        this.properties = properties;
        this.reader = new ChatRequestReader(properties.defaultMaxTokens(), properties.maxTokensLimit());
        this.limits = new ChatLimits(properties);
        this.taskReader = new ChatTaskReader(json);
    }

    /** Validates an OpenAI chat body and resolves its media: everything but submitting. */
    public Mono<Prepared> prepare(String tenant, JsonNode body) {
        return Mono.fromCallable(() -> reader.read(body)).flatMap(request -> {
            ModelInfo model = catalog.require(request.model());
            limits.check(request, model);
            // media of a request are fetched a few at a time, not one after another nor all at once
            return Flux.fromIterable(request.messages())
                    .concatMap(message -> Flux.fromIterable(message.parts())
                            .flatMapSequential(part -> resolve(tenant, part), properties.mediaConcurrency())
                            .collectList()
                            .map(parts -> new ChatMessage(message.role(), parts)))
                    .collectList()
                    .map(messages -> {
                        JobPayload payload = JobPayload.of(new ChatTask(model.id(), messages, request.sampling(), request.stream()));
                        return new Prepared(request, payload, RoutePlanner.plan(payload), model);
                    });
        });
    }

    @Override
    public Mono<ChatRequests.Prepared> prepareJob(String tenant, JsonNode body) {
        return prepare(tenant, body).map(prepared -> new ChatRequests.Prepared(prepared.payload(), prepared.route()));
    }

    @Override
    public Mono<ChatRequests.Prepared> prepareTask(String tenant, ObjectNode payload, ChatRequests.MediaIds media) {
        return Mono.defer(() -> {
            ChatTaskReader.checkShape(payload);
            return media.resolve(payload);
        }).map(resolved -> {
            ChatTask task = taskReader.read(resolved);
            limits.check(task, catalog.require(task.model()));
            JobPayload job = JobPayload.of(task);
            return new ChatRequests.Prepared(job, RoutePlanner.plan(job));
        });
    }

    /** Prepares and submits a chat job that streams its output back to this gateway instance. */
    Mono<Started> start(String tenant, JsonNode body) {
        return prepare(tenant, body).flatMap(prepared -> jobs.submit(tenant, prepared.payload(), prepared.route(), null,
                        jobs.instanceId())
                .map(submission -> new Started(submission.job().id(), prepared,
                        submission.job().createdAt().getEpochSecond())));
    }

    /**
     * What the job tells, until a terminal signal, all from this instance's stream topic: chunks as
     * they stream, the answer's last chunk, or a failure at any stage or in the gateway. Cancelling
     * the subscription (client gone) or the timeout cancels the job.
     */
    Flux<ChatSignal> signals(String tenant, String jobId) {
        return jobs.chunks(jobId)
                .<ChatSignal>map(chunk -> chunk.failure() != null ? new ChatSignal.Failed(chunk.failure()) : new ChatSignal.Piece(chunk))
                .timeout(properties.timeout())
                .onErrorMap(TimeoutException.class, e -> new ApiException(ErrorCode.TIMEOUT,
                        "no answer within " + properties.timeout() + "; the job was cancelled"))
                .doOnError(ApiException.class, e -> {
                    if (e.code() == ErrorCode.TIMEOUT) {
                        cancel(tenant, jobId, "timed out");
                    } else if (e instanceof JobSinks.SlowConsumerException) {
                        cancel(tenant, jobId, "the client read the stream too slowly");
                    }
                })
                .doOnCancel(() -> cancel(tenant, jobId, "the client disconnected"));
    }

    private void cancel(String tenant, String jobId, String reason) {
        jobs.cancel(tenant, jobId, reason)
                .doOnNext(job -> log.info("Cancelled chat job {}: {}", jobId, reason))
                .onErrorResume(e -> Mono.empty())
                .subscribe();
    }

    private Mono<ContentPart> resolve(String tenant, ChatRequest.Part part) {
        return switch (part.type()) {
            case TEXT -> Mono.just(ContentPart.text(part.text()));
            case IMAGE -> sources.resolve(tenant, part.source(), part.path())
                    .map(ref -> ContentPart.image(expect(ref, part, "image"), part.maxPartition()));
            case VIDEO -> sources.resolve(tenant, part.source(), part.path())
                    .map(ref -> ContentPart.video(expect(ref, part, "video"), part.frames()));
        };
    }

    /** An image part must hold an image, a video part a video (an animated GIF counts as both). */
    private static MediaRef expect(MediaRef ref, ChatRequest.Part part, String kind) {
        String type = ref.contentType();
        boolean ok = type.startsWith(kind + "/") || type.equals("image/gif");
        if (!ok) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "'" + part.path() + "' is a " + kind
                    + " part but its media is " + type);
        }
        return ref;
    }
}
