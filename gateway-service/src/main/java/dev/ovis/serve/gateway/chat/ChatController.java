package dev.ovis.serve.gateway.chat;

import dev.ovis.serve.common.chat.ChatResult;
import dev.ovis.serve.common.chat.FinishReason;
import dev.ovis.serve.common.chat.StreamChunk;
import dev.ovis.serve.common.chat.TokenLogprob;
import dev.ovis.serve.common.chat.Usage;
import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.common.job.Failure;
import dev.ovis.serve.gateway.JsonBody;
import dev.ovis.serve.gateway.auth.Tenant;
import dev.ovis.serve.gateway.problem.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/chat/completions}: the OpenAI chat-completions API over the whole suite. A JSON
 * {@code chat.completion} answer, or with {@code "stream": true} server-sent events of
 * {@code chat.completion.chunk}s ending with {@code data: [DONE]}. An error known before the first
 * token (unknown model, bad part, context exceeded, an image refused by the vision stage) is a
 * problem response with its HTTP status; a later one is an in-stream {@code {"error": ...}} event.
 */
@RestController
class ChatController {

    private static final MediaType EVENT_STREAM = MediaType.TEXT_EVENT_STREAM;

    private final ChatService chat;
    private final ChatProperties properties;
    private final JsonBody body;
    private final OpenAiFormat format;

    ChatController(ChatService chat, ChatProperties properties, JsonBody body, JsonMapper json) {
        this.chat = chat;
        this.properties = properties;
        this.body = body;
        this.format = new OpenAiFormat(json);
    }

    @PostMapping("/v1/chat/completions")
    Mono<Void> complete(ServerWebExchange exchange) {
        String tenant = Tenant.of(exchange).id();
        return body.read(exchange.getRequest(), properties.maxRequestBytes().toBytes())
                .flatMap(json -> chat.start(tenant, json)).flatMap(started -> {
            Flux<ChatSignal> signals = chat.signals(tenant, started.jobId());
            return started.prepared().request().stream()
                    ? stream(exchange.getResponse(), started, signals)
                    : whole(exchange.getResponse(), started, signals);
        });
    }

    private Mono<Void> whole(ServerHttpResponse response, ChatService.Started started, Flux<ChatSignal> signals) {
        ChatRequest request = started.prepared().request();
        return signals.reduce(new Accumulated(), Accumulated::add).flatMap(done -> {
            ChatResult result = done.result(started.prepared().model().id());
            byte[] bytes = format.write(format.completion(started.jobId(), started.created(), result.model(), result,
                    request.sampling().logprobs())).getBytes(StandardCharsets.UTF_8);
            response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
            response.getHeaders().setContentLength(bytes.length);
            return response.writeWith(Mono.just(response.bufferFactory().wrap(bytes)));
        });
    }

    private Mono<Void> stream(ServerHttpResponse response, ChatService.Started started, Flux<ChatSignal> signals) {
        ChatRequest request = started.prepared().request();
        String model = started.prepared().model().id();
        Streamed state = new Streamed();
        Flux<String> events = signals.switchOnFirst((first, all) -> {
            if (first.hasValue() && first.get() instanceof ChatSignal.Failed failed) {
                return Flux.error(new ApiException(failed.failure().code(), failed.failure().detail()));
            }
            // once output has been sent, a later error (a client too slow for the stream, a timeout) is the
            // stream's last event, as OpenAI sends it, instead of a connection cut without a word
            return all.concatMap(signal -> Flux.fromIterable(events(signal, state, started, model, request)))
                    .onErrorResume(ApiException.class, e -> state.started
                            ? Flux.just(format.write(format.streamError(new Failure(e.code(), e.detail()))))
                            : Flux.error(e));
        });
        response.getHeaders().setContentType(EVENT_STREAM);
        response.getHeaders().set("Cache-Control", "no-cache");
        response.getHeaders().set("X-Accel-Buffering", "no");
        return response.writeAndFlushWith(events.map(event -> Mono.just(sse(response, event))));
    }

    /** The SSE payloads one signal produces (several for the last one). */
    private List<String> events(ChatSignal signal, Streamed state, ChatService.Started started, String model,
                                ChatRequest request) {
        List<String> out = new ArrayList<>();
        boolean logprobs = request.sampling().logprobs();
        boolean usage = request.includeUsage();
        switch (signal) {
            case ChatSignal.Piece piece -> {
                StreamChunk chunk = piece.chunk();
                if (!chunk.text().isEmpty() || chunk.last() || !state.started) {
                    out.add(format.write(format.delta(started.jobId(), started.created(), model, chunk.text(), !state.started,
                            chunk.logprobs(), logprobs, chunk.last() ? chunk.finishReason() : null, usage)));
                    state.started = true;
                    state.text.append(chunk.text());
                }
                if (chunk.last()) {
                    finish(out, state, started, model, usage, chunk.usage());
                }
            }
            case ChatSignal.Failed failed -> out.add(format.write(format.streamError(failed.failure())));
        }
        return out;
    }

    private void finish(List<String> out, Streamed state, ChatService.Started started, String model, boolean includeUsage,
                        Usage usage) {
        if (includeUsage && usage != null) {
            out.add(format.write(format.usageChunk(started.jobId(), started.created(), model, usage)));
        }
        out.add("[DONE]");
        state.started = true;
    }

    private static DataBuffer sse(ServerHttpResponse response, String data) {
        return response.bufferFactory().wrap(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    /** What a stream has sent so far. */
    private static final class Streamed {
        private boolean started;
        private final StringBuilder text = new StringBuilder();
    }

    /** Collects a non-streamed answer from its signals. */
    private static final class Accumulated {
        private final StringBuilder text = new StringBuilder();
        private final List<TokenLogprob> logprobs = new ArrayList<>();
        private FinishReason finish;
        private Usage usage;

        Accumulated add(ChatSignal signal) {
            switch (signal) {
                case ChatSignal.Piece piece -> {
                    text.append(piece.chunk().text());
                    logprobs.addAll(piece.chunk().logprobs());
                    if (piece.chunk().last()) {
                        finish = piece.chunk().finishReason();
                        usage = piece.chunk().usage();
                    }
                }
                case ChatSignal.Failed failed -> throw new ApiException(failed.failure().code(), failed.failure().detail());
            }
            return this;
        }

        ChatResult result(String model) {
            if (finish == null) {
                throw new ApiException(ErrorCode.INTERNAL, "the answer ended without a finish reason");
            }
            return new ChatResult(model, text.toString(), finish, usage != null ? usage : new Usage(0, 0), logprobs);
        }
    }
}
