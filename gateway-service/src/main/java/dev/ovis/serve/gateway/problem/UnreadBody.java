package dev.ovis.serve.gateway.problem;

import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.HttpHandlerDecoratorFactory;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Before the answer is written, reads and throws away the part of the request body that the gateway
 * did not read — a 413 decided from {@code Content-Length}, a 401 before the upload, a JSON body cut
 * at its limit — before the connection closes. Closing a connection with unread bytes makes the
 * kernel send the client a TCP reset, and a reset discards the answer the client had not read yet:
 * it saw "connection closed while sending" instead of the problem details (HostileInputCorpusIT's
 * 2 MB upload did, now and then). At most {@link UnreadBodyProperties#maxBytes()} and
 * {@link UnreadBodyProperties#timeout()} are spent on it; a larger or slower body is cut as before.
 * A client that sent {@code Expect: 100-continue} is not asked for a body nobody wanted: it waits
 * for the answer and sends nothing more. Wraps the whole HTTP handler (error answers included),
 * which a {@code WebFilter} cannot: errors are written outside the filter chain.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class UnreadBody implements HttpHandlerDecoratorFactory {

    private final long maxBytes;
    private final UnreadBodyProperties properties;

    public UnreadBody(UnreadBodyProperties properties) {
        this.properties = properties;
        this.maxBytes = properties.maxBytes().toBytes();
    }

    @Override
    public HttpHandler apply(HttpHandler handler) {
        return (request, response) -> {
            if (!hasBody(request.getHeaders())) {
                return handler.handle(request, response);
            }
            Body body = new Body(request.getBody(), maxBytes, request.getHeaders().containsHeader(HttpHeaders.EXPECT));
            ServerHttpRequest tracked = new ServerHttpRequestDecorator(request) {
                @Override
                public Flux<DataBuffer> getBody() {
                    return body.flux();
                }
            };
            // The rest of the body is read just before the answer goes out, not after: the answer's
            // headers must say whether the connection stays open.
            ServerHttpResponse draining = new ServerHttpResponseDecorator(response) {
                @Override
                public Mono<Void> writeWith(Publisher<? extends DataBuffer> content) {
                    return drain(body, this).then(Mono.defer(() -> super.writeWith(content)));
                }

                @Override
                public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> content) {
                    return drain(body, this).then(Mono.defer(() -> super.writeAndFlushWith(content)));
                }

                @Override
                public Mono<Void> setComplete() {
                    return drain(body, this).then(Mono.defer(super::setComplete));
                }
            };
            return handler.handle(tracked, draining);
        };
    }

    /**
     * Reads what is left of the body; if it was not read to its end (too large, too slow, cut by a
     * limit, or never sent after {@code Expect: 100-continue}), the answer closes the connection: on a
     * kept-alive connection the server would otherwise wait, up to the idle timeout and again after
     * every byte, for the rest of a body nobody wants, or take its bytes for the next request.
     */
    private Mono<Void> drain(Body body, ServerHttpResponse response) {
        return body.drain().timeout(properties.timeout(), Mono.fromRunnable(body::stop))
                .onErrorResume(error -> Mono.empty())
                .then(Mono.fromRunnable(() -> {
                    if (!body.readToEnd() && !response.isCommitted()) {
                        response.getHeaders().set(HttpHeaders.CONNECTION, "close");
                    }
                }));
    }

    private static boolean hasBody(HttpHeaders headers) {
        return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }

    /**
     * The request body, subscribed to once. A handler that cancels it does not cancel the
     * connection's inbound stream: the rest stays unread until {@link #drain()} reads and releases it.
     */
    static final class Body {

        private final Flux<DataBuffer> source;
        private final long maxBytes;
        private final boolean expectsContinue;
        private final AtomicBoolean subscribed = new AtomicBoolean();
        private final Sinks.Empty<Void> finished = Sinks.empty();
        private volatile Subscription upstream;
        private volatile boolean handlerGone;
        private volatile boolean draining;
        private volatile boolean terminated;
        private volatile boolean readToEnd;
        private long discarded;

        Body(Flux<DataBuffer> source, long maxBytes, boolean expectsContinue) {
            this.source = source;
            this.maxBytes = maxBytes;
            this.expectsContinue = expectsContinue;
        }

        Flux<DataBuffer> flux() {
            return Flux.from(subscriber -> {
                if (!subscribed.compareAndSet(false, true)) {
                    Flux.<DataBuffer>error(new IllegalStateException("the request body can be read only once")).subscribe(subscriber);
                    return;
                }
                source.subscribe(new Relay(subscriber));
            });
        }

        /** Completes once the body has been read to its end, or cut at {@code maxBytes}. */
        Mono<Void> drain() {
            if (expectsContinue && !subscribed.get()) {
                // reading now would send "100 Continue" for a body the answer already refused
                return Mono.empty();
            }
            if (subscribed.compareAndSet(false, true)) {
                // the handler never asked for the body
                handlerGone = true;
                source.subscribe(new Relay(null));
            }
            if (terminated) {
                return Mono.empty();
            }
            if (!handlerGone) {
                // the handler still reads it (it failed elsewhere): leave the connection as it is
                return Mono.empty();
            }
            draining = true;
            Subscription subscription = upstream;
            if (subscription != null) {
                subscription.request(Long.MAX_VALUE);
            }
            return finished.asMono();
        }

        /** Whether the body's last byte has been read (by the handler or by the drain). */
        boolean readToEnd() {
            return readToEnd;
        }

        void stop() {
            Subscription subscription = upstream;
            if (subscription != null) {
                subscription.cancel();
            }
            finish();
        }

        private void finish() {
            terminated = true;
            finished.tryEmitEmpty();
        }

        /** Passes the body to the handler; once the handler is gone, counts and releases it. */
        private final class Relay implements CoreSubscriber<DataBuffer>, Subscription {

            private final Subscriber<? super DataBuffer> handler;

            Relay(Subscriber<? super DataBuffer> handler) {
                this.handler = handler;
            }

            @Override
            public void onSubscribe(Subscription subscription) {
                upstream = subscription;
                if (handler != null) {
                    handler.onSubscribe(this);
                } else if (draining) {
                    subscription.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(DataBuffer buffer) {
                if (!handlerGone) {
                    handler.onNext(buffer);
                    return;
                }
                discarded += buffer.readableByteCount();
                DataBufferUtils.release(buffer);
                if (discarded > maxBytes) {
                    stop();
                }
            }

            @Override
            public void onError(Throwable error) {
                if (!handlerGone) {
                    handler.onError(error);
                }
                finish();
            }

            @Override
            public void onComplete() {
                readToEnd = true;
                if (!handlerGone) {
                    handler.onComplete();
                }
                finish();
            }

            @Override
            public void request(long n) {
                if (!handlerGone) {
                    upstream.request(n);
                }
            }

            @Override
            public void cancel() {
                handlerGone = true;
            }
        }
    }
}
