package dev.ovis.serve.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * The JSON body budget: bodies held by requests in progress count against one budget; a body that
 * would pass it is refused with 503 and Retry-After while the others go on, and what a request held
 * is given back when it ends. Uploads (not JSON) are streamed, not held, and are not counted.
 */
class BodyBudgetTests {

    private static final int BODY = 700 * 1024;

    private final BodyBudget budget = new BodyBudget(new BodyBudgetProperties(true, DataSize.ofMegabytes(1)));

    @Test
    void aBodyThatWouldPassTheBudgetIsRefusedWith503UntilTheHolderEnds() {
        Sinks.Empty<Void> firstEnds = Sinks.empty();
        Mono<Void> first = budget.filter(exchange(MediaType.APPLICATION_JSON), readsBodyThenWaitsFor(firstEnds));
        StepVerifier.create(first).expectSubscription().expectNoEvent(Duration.ofMillis(50)).thenCancel().verify();
        // the first request was cancelled: its share is given back
        assertThat(budget.held()).isZero();

        Mono<Void> holder = budget.filter(exchange(MediaType.APPLICATION_JSON), readsBodyThenWaitsFor(firstEnds));
        holder.subscribe();
        assertThat(budget.held()).isEqualTo(BODY);

        StepVerifier.create(budget.filter(exchange(MediaType.APPLICATION_JSON), readsBodyThenWaitsFor(Sinks.empty())))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(ApiException.class);
                    ApiException refusal = (ApiException) error;
                    assertThat(refusal.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(refusal.headers()).containsKey(HttpHeaders.RETRY_AFTER);
                })
                .verify(Duration.ofSeconds(5));
        assertThat(budget.held()).as("the refused body holds nothing").isEqualTo(BODY);

        firstEnds.tryEmitEmpty();
        assertThat(budget.held()).as("given back when the holder ends").isZero();
        StepVerifier.create(budget.filter(exchange(MediaType.APPLICATION_JSON), readsBodyThenWaitsFor(done())))
                .verifyComplete();
        assertThat(budget.held()).isZero();
    }

    @Test
    void uploadsAreStreamedNotHeldAndAreNotCounted() {
        Mono<Void> holder = budget.filter(exchange(MediaType.APPLICATION_JSON), readsBodyThenWaitsFor(Sinks.empty()));
        holder.subscribe();
        StepVerifier.create(budget.filter(exchange(MediaType.APPLICATION_OCTET_STREAM, "/v1/media"), readsBodyThenWaitsFor(done())))
                .verifyComplete();
        StepVerifier.create(budget.filter(exchange(MediaType.MULTIPART_FORM_DATA, "/v1/ocr"), readsBodyThenWaitsFor(done())))
                .verifyComplete();
        assertThat(budget.held()).isEqualTo(BODY);
    }

    @Test
    void aChatBodyDeclaredAsAnotherTypeIsCountedAllTheSame() {
        Mono<Void> holder = budget.filter(exchange(MediaType.TEXT_PLAIN), readsBodyThenWaitsFor(Sinks.empty()));
        holder.subscribe();
        assertThat(budget.held()).as("read whole as JSON whatever its declared type").isEqualTo(BODY);
        StepVerifier.create(budget.filter(exchange(null), readsBodyThenWaitsFor(Sinks.empty())))
                .expectError(ApiException.class).verify(Duration.ofSeconds(5));
    }

    private static Sinks.Empty<Void> done() {
        Sinks.Empty<Void> done = Sinks.empty();
        done.tryEmitEmpty();
        return done;
    }

    private static WebFilterChain readsBodyThenWaitsFor(Sinks.Empty<Void> end) {
        return exchange -> DataBufferUtils.join(exchange.getRequest().getBody())
                .doOnNext(DataBufferUtils::release).then(end.asMono());
    }

    private static MockServerWebExchange exchange(MediaType type) {
        return exchange(type, "/v1/chat/completions");
    }

    private static MockServerWebExchange exchange(MediaType type, String path) {
        Flux<DataBuffer> body = Flux.range(0, BODY / 1024)
                .map(i -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[1024]));
        MockServerHttpRequest.BodyBuilder request = MockServerHttpRequest.post(path);
        if (type != null) {
            request.contentType(type);
        }
        return MockServerWebExchange.from(request.body(body));
    }
}
