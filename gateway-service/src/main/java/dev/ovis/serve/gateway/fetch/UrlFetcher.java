package dev.ovis.serve.gateway.fetch;

import dev.ovis.serve.common.error.ErrorCode;
import dev.ovis.serve.gateway.problem.ApiException;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.timeout.ReadTimeoutException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.stream.Stream;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;

/**
 * Fetches media that a request names by URL, for the media service to store like an upload.
 * Guards against server-side request forgery: https only (unless configured), every address the
 * connection uses checked by {@link AddressPolicy} at resolution time, redirects followed by hand
 * (at most {@code maxRedirects}, each re-checked), connect/read/total timeouts and a size cap.
 */
@Component
public class UrlFetcher implements AutoCloseable {

    /** Histogram ({@code outcome} = ok/error/cancelled): a URL's fetch from the request to its last byte. */
    public static final String DOWNLOAD_TIME = "ovis:media_download_seconds";

    private static final Duration[] DOWNLOAD_BUCKETS = Stream.of(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            10.0, 30.0, 60.0).map(s -> Duration.ofNanos((long) (s * 1e9))).toArray(Duration[]::new);

    private final FetchProperties properties;
    private final AddressPolicy policy;
    private final GuardedAddressResolverGroup resolver;
    private final HttpClient client;
    private final NettyDataBufferFactory buffers = new NettyDataBufferFactory(io.netty.buffer.ByteBufAllocator.DEFAULT);
    private final MeterRegistry meters;

    public UrlFetcher(FetchProperties properties) {
        this(properties, new SimpleMeterRegistry());
    }

    @Autowired
    public UrlFetcher(FetchProperties properties, MeterRegistry meters) {
        this.meters = meters;
        this.properties = properties;
        this.policy = new AddressPolicy(properties.allowedNetworks());
        this.resolver = new GuardedAddressResolverGroup(policy, properties.connectTimeout());
        this.client = HttpClient.create(ConnectionProvider.newConnection())
                .resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) properties.connectTimeout().toMillis())
                .responseTimeout(properties.readTimeout())
                .followRedirect(false)
                .headers(h -> h.set(HttpHeaderNames.USER_AGENT, properties.userAgent()));
    }

    /**
     * The body of {@code url}, streamed. Errors are {@link ApiException}s: URL_FORBIDDEN for a
     * refused scheme or address, URL_FETCH_FAILED for timeouts, HTTP errors and redirect loops,
     * MEDIA_TOO_LARGE past {@code maxBytes}.
     */
    public Flux<DataBuffer> fetch(String url, long maxBytes) {
        long limit = properties.maxBytes() != null ? Math.min(maxBytes, properties.maxBytes().toBytes()) : maxBytes;
        return Flux.defer(() -> {
                    // a deadline for the whole download, redirects included: the read timeout only bounds
                    // the silence between chunks, so one byte every few seconds would hold on for ever
                    long end = System.nanoTime() + properties.totalTimeout().toNanos();
                    return fetch(checked(url), limit, 0).timeout(remaining(end), chunk -> remaining(end));
                })
                .onErrorMap(TimeoutException.class, e -> new ApiException(ErrorCode.URL_FETCH_FAILED,
                        "fetching " + url + " did not finish within " + properties.totalTimeout()))
                .onErrorMap(e -> !(e instanceof ApiException), e -> translate(url, e))
                .transformDeferred(this::timed);
    }

    /**
     * Records the media download latency of one fetch, whatever its end — before the end reaches
     * the subscriber, so whoever saw the end also sees it counted.
     */
    private Flux<DataBuffer> timed(Flux<DataBuffer> fetch) {
        long start = System.nanoTime();
        return fetch.doOnComplete(() -> recordDownload(start, "ok"))
                .doOnError(e -> recordDownload(start, "error"))
                .doOnCancel(() -> recordDownload(start, "cancelled"));
    }

    private void recordDownload(long start, String outcome) {
        Timer.builder(DOWNLOAD_TIME).description("fetching a media URL to its last byte").tag("outcome", outcome)
                .serviceLevelObjectives(DOWNLOAD_BUCKETS).register(meters)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    private static Mono<Long> remaining(long end) {
        return Mono.delay(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
    }

    /** Stops the DNS resolver's thread. */
    @Override
    public void close() {
        resolver.close();
    }

    private Flux<DataBuffer> fetch(URI uri, long limit, int hop) {
        AtomicLong received = new AtomicLong();
        return client.get().uri(uri).response((response, body) -> {
            int status = response.status().code();
            if (status >= 300 && status < 400 && response.responseHeaders().contains(HttpHeaderNames.LOCATION)) {
                if (hop >= properties.maxRedirects()) {
                    return Flux.error(new ApiException(ErrorCode.URL_FETCH_FAILED,
                            "more than " + properties.maxRedirects() + " redirects fetching " + uri));
                }
                URI next = checked(uri.resolve(response.responseHeaders().get(HttpHeaderNames.LOCATION)).toString());
                return body.then().thenMany(Flux.defer(() -> fetch(next, limit, hop + 1)));
            }
            if (status != 200) {
                return body.then().then(reactor.core.publisher.Mono.error(new ApiException(ErrorCode.URL_FETCH_FAILED,
                        "fetching " + uri + ": the server answered HTTP " + status)));
            }
            String length = response.responseHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
            if (length != null && parseLong(length) > limit) {
                return Flux.error(tooLarge(uri, limit));
            }
            return body.map(chunk -> {
                if (received.addAndGet(chunk.readableBytes()) > limit) {
                    throw tooLarge(uri, limit);
                }
                return (DataBuffer) buffers.wrap(chunk.retain());
            });
        });
    }

    /** Parses and vets a URL before any connection is made. */
    private URI checked(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean allowed = scheme.equals("https") || (scheme.equals("http") && properties.allowHttp());
        if (!allowed) {
            throw new ApiException(ErrorCode.URL_FORBIDDEN, "only " + (properties.allowHttp() ? "http(s)" : "https")
                    + " URLs are fetched, not '" + scheme + "': " + url);
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "the URL has no host: " + url);
        }
        refuseForbiddenLiteral(uri.getHost(), url);
        return uri;
    }

    /**
     * IP-literal hosts never reach the resolver (the client connects to them directly), so they
     * are checked here; host names are checked by {@link GuardedAddressResolverGroup}.
     */
    private void refuseForbiddenLiteral(String host, String url) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean ipv4 = literal.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean ipv6 = literal.contains(":") && literal.matches("[0-9a-fA-F:.%a-zA-Z]+");
        if (!ipv4 && !ipv6) {
            return;
        }
        try {
            InetAddress address = InetAddress.getByName(literal);
            if (!policy.permits(address)) {
                throw new ApiException(ErrorCode.URL_FORBIDDEN, "refused to fetch " + url + ": " + literal
                        + " is not a public address; such addresses are refused unless ovis.gateway.fetch.allowed-networks lists them");
            }
        } catch (UnknownHostException e) {
            throw new ApiException(ErrorCode.INVALID_CONTENT_PART, "not a valid address in " + url);
        }
    }

    private ApiException translate(String url, Throwable error) {
        Throwable cause = error;
        while (cause != null) {
            if (cause instanceof GuardedAddressResolverGroup.ForbiddenAddressException forbidden) {
                return new ApiException(ErrorCode.URL_FORBIDDEN, "refused to fetch " + url + ": " + forbidden.getMessage());
            }
            if (cause instanceof UnknownHostException unknown) {
                return new ApiException(ErrorCode.URL_FETCH_FAILED, "cannot resolve the host of " + url + ": " + unknown.getMessage());
            }
            if (cause instanceof TimeoutException || cause instanceof ReadTimeoutException
                    || cause instanceof io.netty.channel.ConnectTimeoutException) {
                return new ApiException(ErrorCode.URL_FETCH_FAILED, "fetching " + url + " timed out");
            }
            if (cause instanceof PrematureCloseException) {
                return new ApiException(ErrorCode.URL_FETCH_FAILED, "the server closed the connection early fetching " + url);
            }
            cause = cause.getCause();
        }
        return new ApiException(ErrorCode.URL_FETCH_FAILED, "fetching " + url + " failed: " + error.getMessage());
    }

    private static ApiException tooLarge(URI uri, long limit) {
        return new ApiException(ErrorCode.MEDIA_TOO_LARGE, uri + " is larger than the " + limit + "-byte limit");
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
