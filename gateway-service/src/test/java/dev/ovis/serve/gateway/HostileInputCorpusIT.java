package dev.ovis.serve.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ovis.serve.common.Topics;
import dev.ovis.serve.common.envelope.Envelope;
import dev.ovis.serve.common.envelope.EventTypes;
import dev.ovis.serve.common.model.ModelInfo;
import dev.ovis.serve.gateway.limit.BodyBudget;
import dev.ovis.serve.support.kafka.EnvelopePublisher;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

/**
 * The HTTP part of the hostile-input corpus (docs/reliability.md): generated malformed, huge, deep
 * and unstorable JSON on every JSON endpoint, wrong values of every chat member, hostile multipart
 * forms and uploads, and hostile URLs — private, link-local, every IPv6 form of them, other schemes,
 * redirects to private addresses, slow, trickling, endless and lying bodies from a local test server —
 * each answered with a 4xx problem, never a 5xx and never a hang; after each batch the gateway is
 * healthy and answers a normal request. The image decoders have their own corpora
 * ({@code HostileImageCorpusTests} in vision and OCR).
 */
// a context of its own (fetching from a local http server is allowed here), closed after the class,
// with its own instance id so its stream consumer never takes another context's chunks
@DirtiesContext
@TestPropertySource(properties = {
        "ovis.gateway.instance-id=gateway-corpus",
        // every case must reach its handler, not the per-tenant rate limit
        "ovis.gateway.limits.enabled=false",
        "ovis.gateway.fetch.allow-http=true",
        "ovis.gateway.fetch.allowed-networks=127.0.0.1/32",
        "ovis.gateway.fetch.connect-timeout=1s",
        "ovis.gateway.fetch.read-timeout=1s",
        "ovis.gateway.fetch.total-timeout=3s"})
class HostileInputCorpusIT extends GatewayIntegrationTest {

    private static final String MODEL = "corpus-model";
    private static final Duration PER_CASE = Duration.ofSeconds(20);
    private static DisposableServer hostile;
    private static String base;
    private static final Map<String, Integer> counts = new TreeMap<>();

    @Autowired
    EnvelopePublisher publisher;
    @Autowired
    BodyBudget bodyBudget;
    @LocalServerPort
    int port;

    @BeforeAll
    static void startHostileServer() {
        byte[] png = TestMedia.png(4000);
        hostile = HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes
                        .get("/redirect-metadata", (req, res) -> res.status(302)
                                .header("Location", "http://169.254.169.254/latest/meta-data/").send())
                        .get("/redirect-private", (req, res) -> res.status(302).header("Location", "http://10.0.0.1/x.png").send())
                        .get("/redirect-v6", (req, res) -> res.status(302).header("Location", "http://[::ffff:192.168.0.1]/").send())
                        .get("/redirect-6to4", (req, res) -> res.status(307).header("Location", "http://[2002:a00:1::1]/").send())
                        .get("/redirect-file", (req, res) -> res.status(301).header("Location", "file:///etc/passwd").send())
                        .get("/redirect-loop", (req, res) -> res.status(302).header("Location", "/redirect-loop").send())
                        .get("/slow", (req, res) -> res.sendString(Mono.never()))
                        .get("/slow-headers", (req, res) -> Mono.delay(Duration.ofSeconds(30)).then())
                        .get("/endless", (req, res) -> res.header("Content-Type", "image/png")
                                .sendByteArray(Flux.concat(Flux.just(png), Flux.<byte[]>generate(sink -> sink.next(new byte[16384])))))
                        .get("/trickle", (req, res) -> res.header("Content-Type", "image/png")
                                .sendString(Flux.interval(Duration.ofMillis(100)).map(tick -> "x")))
                        .get("/huge-length", (req, res) -> res.header("Content-Length", "10737418240").sendByteArray(Mono.just(png)))
                        .get("/not-found", (req, res) -> res.status(404).send())
                        .get("/error", (req, res) -> res.status(500).sendString(Mono.just("boom")))
                        .get("/html", (req, res) -> res.header("Content-Type", "text/html")
                                .sendString(Mono.just("<html><body>not an image</body></html>"))))
                .bindNow();
        base = "http://127.0.0.1:" + hostile.port();
    }

    @AfterAll
    static void stopAndReport() {
        if (hostile != null) {
            hostile.disposeNow();
        }
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        System.out.println("Hostile input corpus (gateway): " + counts.values().stream().mapToInt(Integer::intValue).sum()
                + " cases by status " + counts + "; peak heap use of the test JVM " + (peak >> 20) + " MiB");
    }

    @Test
    void everyHostileRequestIsA4xxAndTheGatewayStaysHealthy() {
        announceModel();
        Map<String, List<Case>> batches = new LinkedHashMap<>();
        batches.put("malformed JSON", malformedJson());
        batches.put("deep, huge and unstorable JSON", limitsJson());
        batches.put("wrong chat members", wrongChatMembers());
        batches.put("multipart and uploads", forms());
        batches.put("hostile URLs", hostileUrls());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, List<Case>> batch : batches.entrySet()) {
            for (Case c : batch.getValue()) {
                String status;
                try {
                    status = String.valueOf(c.run(client()));
                } catch (RuntimeException | AssertionError e) {
                    status = "no answer (" + e + (e.getCause() == null ? "" : ", " + e.getCause()) + ")";
                }
                synchronized (counts) {
                    counts.merge(status, 1, Integer::sum);
                }
                if (!status.startsWith("4")) {
                    wrong.add(batch.getKey() + ": " + c.name() + " -> " + status);
                }
            }
            stillServes(batch.getKey());
        }
        assertThat(wrong).as("cases not answered with a 4xx").isEmpty();
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(total).isGreaterThanOrEqualTo(300);
    }

    /**
     * A client without a connection pool: a case the gateway answers early (before the body was read)
     * ends with the connection closed, which must not be blamed on the next case reusing it.
     */
    private WebTestClient client() {
        return WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
                .baseUrl("http://127.0.0.1:" + port).responseTimeout(PER_CASE)
                .defaultHeader("Authorization", "Bearer " + KEY_A).build();
    }

    /** After each batch: healthy, and a normal request gets its normal answer. */
    private void stillServes(String batch) {
        web.get().uri("/actuator/health").exchange().expectStatus().isOk();
        Map<String, Object> media = as(KEY_A).post().uri("/v1/media").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .bodyValue(TestMedia.png(500)).exchange().expectStatus().isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult().getResponseBody();
        as(KEY_A).post().uri("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("kind", "OCR", "payload", Map.of("media", media.get("id"))))
                .exchange().expectStatus().value(status -> assertThat(status).as("a normal job after " + batch).isEqualTo(201));
        // every JSON body of the batch was given back to the budget once its request ended: none leaks
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(bodyBudget.held()).as("JSON body bytes still held after " + batch).isZero());
    }

    private void announceModel() {
        ModelInfo model = new ModelInfo(MODEL, "ovis2-tiny-random", 4096, List.of("text", "image", "video"), true, Instant.now());
        publisher.publish(Topics.MODELS, Envelope.withId(MODEL + ":" + model.announcedAt(), EventTypes.MODEL_ANNOUNCED,
                "test", MODEL, model));
        await().atMost(WAIT).until(() -> as(KEY_A).get().uri("/v1/models").exchange().expectBody(String.class)
                .returnResult().getResponseBody().contains(MODEL));
    }

    // ---- the cases ----

    /**
     * One request of the corpus. Every base body is itself refused (chat with {@code "n": 2}, jobs and
     * OCR naming media nobody uploaded), so no case can become a job that waits for a stage.
     */
    private record Case(String name, HttpMethod method, String path, MediaType type, Object body) {

        int run(WebTestClient client) {
            WebTestClient.RequestBodySpec spec = client.method(method).uri(path);
            if (type != null) {
                spec.contentType(type);
            }
            WebTestClient.RequestHeadersSpec<?> request = body == null ? spec
                    : body instanceof MultipartBodyBuilder multipart ? spec.body(BodyInserters.fromMultipartData(multipart.build()))
                    : spec.bodyValue(body);
            EntityExchangeResult<byte[]> result = request.exchange().expectBody().returnResult();
            return result.getStatus().value();
        }
    }

    private static final Map<String, String> VALID = Map.of(
            "/v1/chat/completions", "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hello there\"}],"
                    + " \"max_tokens\": 5, \"temperature\": 0.5, \"n\": 2}",
            "/v1/jobs", "{\"kind\": \"OCR\", \"payload\": {\"media\": \"m-unknown\", \"languages\": [\"en\", \"de\"]}}",
            "/v1/ocr", "{\"image\": \"m-unknown\", \"languages\": [\"en\"], \"async\": true}",
            "/v1/video/keyframes", "{\"video\": \"m-unknown\", \"question\": \"what\", \"frames\": 4}");

    private static Case json(String name, String path, Object body) {
        return new Case(name + " on " + path, HttpMethod.POST, path, MediaType.APPLICATION_JSON, body);
    }

    private static List<Case> malformedJson() {
        List<Case> cases = new ArrayList<>();
        Random random = new Random(13);
        for (Map.Entry<String, String> endpoint : VALID.entrySet()) {
            String path = endpoint.getKey();
            String valid = endpoint.getValue();
            for (int cut = 1; cut <= 16; cut++) {
                cases.add(json("truncated at " + cut + "/17", path, valid.substring(0, valid.length() * cut / 17)));
            }
            for (String text : List.of("", " ", "[]", "\"text\"", "1", "-0", "null", "true", "{", "}", "{\"a\":}", "{'a': 1}",
                    "{\"a\": 1,}", "[1, 2", "{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\" 1}", "{\"a\": \"\\x41\"}",
                    "{\"a\": \"\\u12\"}", "\u0000", "{\"a\": 1}{\"b\": 2}", "{\"a\": 01}", "/* c */ {}")) {
                cases.add(json("text " + abbreviate(text), path, text));
            }
            for (int i = 0; i < 4; i++) {
                byte[] bytes = new byte[1 + random.nextInt(3000)];
                random.nextBytes(bytes);
                cases.add(json("random bytes " + i, path, bytes));
            }
            // invalid UTF-8 inside a string
            byte[] prefix = "{\"model\": \"".getBytes(StandardCharsets.UTF_8);
            byte[] invalid = new byte[prefix.length + 4];
            System.arraycopy(prefix, 0, invalid, 0, prefix.length);
            invalid[prefix.length] = (byte) 0xC3;
            invalid[prefix.length + 1] = (byte) 0x28;
            invalid[prefix.length + 2] = '"';
            invalid[prefix.length + 3] = '}';
            cases.add(json("invalid UTF-8", path, invalid));
        }
        return cases;
    }

    private static List<Case> limitsJson() {
        List<Case> cases = new ArrayList<>();
        for (Map.Entry<String, String> endpoint : VALID.entrySet()) {
            String path = endpoint.getKey();
            String valid = endpoint.getValue();
            String inner = valid.substring(1, valid.length() - 1);
            for (int depth : new int[] {65, 1_000, 100_000}) {
                cases.add(json("arrays nested " + depth + " deep", path, "{" + inner + ", \"x\": " + "[".repeat(depth)
                        + "]".repeat(depth) + "}"));
                cases.add(json("objects nested " + depth + " deep", path, "{" + inner + ", \"x\": " + "{\"a\":".repeat(depth)
                        + "1" + "}".repeat(depth) + "}"));
            }
            cases.add(json("unclosed nesting", path, "[".repeat(200_000)));
            cases.add(json("a 5000-digit number", path, "{" + inner + ", \"x\": " + "7".repeat(5000) + "}"));
            cases.add(json("a 5000-digit fraction", path, "{" + inner + ", \"x\": 0." + "7".repeat(5000) + "}"));
            cases.add(json("an exponent of 1e999999999", path, "{" + inner + ", \"max_tokens\": 1e999999999}"));
            cases.add(json("a 5000-character member name", path, "{" + inner + ", \"" + "n".repeat(5000) + "\": 1}"));
            cases.add(json("a flat array of 250000 empty arrays", path, "{" + inner + ", \"x\": [" + "[],".repeat(250_000) + "[]]}"));
            cases.add(json("100000 members", path, "{" + inner + ", " + "\"k\": 1, ".repeat(100_000) + "\"z\": 0}"));
            cases.add(json("a NUL in a value", path, valid.replaceFirst("\"(\\w+)\"", "\"$1\\\\u0000\"")));
            cases.add(json("a raw NUL in a value", path, valid.replace("en", "e\u0000n").replace("hello", "he\u0000llo")
                    .replace("what", "wh\u0000at")));
            cases.add(json("a NUL in a member name", path, "{" + inner + ", \"bad\\u0000name\": 1}"));
            cases.add(json("an unpaired high surrogate", path, valid.replace("en", "e\\ud800n").replace("hello", "he\\ud800llo")
                    .replace("what", "wh\\ud800at").replace("m-unknown", "m\\ud800")));
            cases.add(json("an unpaired low surrogate", path, valid.replace("en", "\\udc00").replace("hello", "\\udfff")
                    .replace("what", "\\udc00").replace("m-unknown", "\\udc00")));
        }
        // larger than the endpoint's own limit: /v1/jobs takes 1 MB
        cases.add(json("a 1.5 MB body", "/v1/jobs", "{\"kind\": \"OCR\", \"payload\": {\"pad\": \"" + "p".repeat(1_500_000) + "\"}}"));
        cases.add(json("a stage request over the broker's limit", "/v1/chat/completions", "{\"model\": \"" + MODEL
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"" + "a".repeat(1_100_000) + "\"}]}"));
        return cases;
    }

    private static List<Case> wrongChatMembers() {
        List<Case> cases = new ArrayList<>();
        String path = "/v1/chat/completions";
        String messages = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";
        String model = "\"model\": \"" + MODEL + "\"";
        for (String body : List.of(
                "{" + messages + "}", "{\"model\": 1, " + messages + "}", "{\"model\": \"\", " + messages + "}",
                "{\"model\": \"no-such-model\", " + messages + "}", "{" + model + "}", "{" + model + ", \"messages\": {}}",
                "{" + model + ", \"messages\": []}", "{" + model + ", \"messages\": [1]}", "{" + model + ", \"messages\": [{}]}",
                "{" + model + ", \"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}",
                "{" + model + ", \"messages\": [{\"role\": \"wizard\", \"content\": \"x\"}]}",
                "{" + model + ", \"messages\": [{\"role\": \"user\", \"content\": 5}]}",
                "{" + model + ", \"messages\": [{\"role\": \"user\", \"content\": []}]}",
                "{" + model + ", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"audio\"}]}]}",
                "{" + model + ", \"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}",
                "{" + model + ", \"messages\": [{\"role\": \"system\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"x\"}}]}]}",
                "{" + model + ", \"messages\": [{\"role\": \"assistant\", \"content\": \"last\"}]}",
                "{" + model + ", " + messages + ", \"max_tokens\": -1}", "{" + model + ", " + messages + ", \"max_tokens\": 0}",
                "{" + model + ", " + messages + ", \"max_tokens\": \"5\"}", "{" + model + ", " + messages + ", \"max_tokens\": 1e10}",
                "{" + model + ", " + messages + ", \"max_tokens\": 32768}", "{" + model + ", " + messages + ", \"max_tokens\": 1.5}",
                "{" + model + ", " + messages + ", \"temperature\": \"hot\"}", "{" + model + ", " + messages + ", \"temperature\": 99}",
                "{" + model + ", " + messages + ", \"top_p\": 0}", "{" + model + ", " + messages + ", \"stream\": \"yes\"}",
                "{" + model + ", " + messages + ", \"n\": 2}", "{" + model + ", " + messages + ", \"top_logprobs\": 5}",
                "{" + model + ", " + messages + ", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}",
                "{" + model + ", " + messages + ", \"tools\": [{\"type\": \"function\"}]}",
                "{" + model + ", " + messages + ", \"response_format\": {\"type\": \"json_object\"}}",
                "{" + model + ", " + messages + ", \"max_partition\": 99}", "{" + model + ", " + messages + ", \"frames\": 0}",
                "{" + model + ", " + messages + ", \"seed\": \"x\"}", "{" + model + ", " + messages + ", \"stream_options\": 1}",
                "{" + model + ", \"messages\": [{\"role\": \"user\", \"content\": \"" + "word ".repeat(30_000) + "\"}]}")) {
            cases.add(json("chat " + abbreviate(body), path, body));
        }
        String task = "{\"kind\": \"CHAT\", \"payload\": {\"model\": \"" + MODEL + "\", \"messages\": ";
        for (String body : List.of(task + "[{\"parts\": [{\"type\": \"TEXT\", \"text\": \"x\"}]}]}}",
                task + "[{\"role\": \"USER\"}]}}", task + "[{\"role\": \"USER\", \"parts\": [{\"type\": \"SMELL\"}]}]}}",
                task + "[{\"role\": \"USER\", \"parts\": [{\"type\": \"TEXT\"}]}]}}", task + "null}}",
                task + "[{\"role\": \"USER\", \"parts\": [{\"type\": \"TEXT\", \"text\": \"x\"}]}], \"sampling\": {\"maxTokens\": 32768,"
                        + " \"temperature\": 0, \"topP\": 1, \"topK\": 0, \"repetitionPenalty\": 1}}}",
                task + "[{\"role\": \"USER\", \"parts\": [{\"type\": \"IMAGE\", \"media\": \"not-mine\"}]}]}}",
                "{\"kind\": \"CHAT\", \"payload\": {\"model\": \"nobody-serves-this\", \"messages\": [{\"role\": \"USER\","
                        + " \"parts\": [{\"type\": \"TEXT\", \"text\": \"x\"}]}]}}",
                "{\"kind\": \"CHAT\", \"request\": {\"model\": \"" + MODEL + "\", \"messages\": [{\"role\": \"user\", \"content\": 5}]}}")) {
            cases.add(json("raw chat job " + abbreviate(body), "/v1/jobs", body));
        }
        return cases;
    }

    private static List<Case> forms() {
        List<Case> cases = new ArrayList<>();
        for (String path : List.of("/v1/ocr", "/v1/video/keyframes")) {
            MultipartBodyBuilder noFile = new MultipartBodyBuilder();
            noFile.part("languages", "en");
            cases.add(new Case("no file part on " + path, HttpMethod.POST, path, MediaType.MULTIPART_FORM_DATA, noFile));
            MultipartBodyBuilder manyFields = new MultipartBodyBuilder();
            for (int i = 0; i < 40; i++) {
                manyFields.part("f" + i, "x");
            }
            cases.add(new Case("40 fields on " + path, HttpMethod.POST, path, MediaType.MULTIPART_FORM_DATA, manyFields));
            MultipartBodyBuilder bigField = new MultipartBodyBuilder();
            bigField.part("question", "q".repeat(200_000));
            cases.add(new Case("a 200 KB field on " + path, HttpMethod.POST, path, MediaType.MULTIPART_FORM_DATA, bigField));
            MultipartBodyBuilder nul = new MultipartBodyBuilder();
            nul.part("languages", "en\u0000");
            nul.part("question", "wh\u0000at");
            nul.part("file", TestMedia.png(300)).filename("x.png");
            cases.add(new Case("a NUL in a field on " + path, HttpMethod.POST, path, MediaType.MULTIPART_FORM_DATA, nul));
            MultipartBodyBuilder text = new MultipartBodyBuilder();
            text.part("file", "just text, not media".getBytes(StandardCharsets.UTF_8)).filename("x.png");
            cases.add(new Case("a text file on " + path, HttpMethod.POST, path, MediaType.MULTIPART_FORM_DATA, text));
        }
        cases.add(new Case("an empty upload", HttpMethod.POST, "/v1/media", MediaType.APPLICATION_OCTET_STREAM, new byte[0]));
        cases.add(new Case("a text upload", HttpMethod.POST, "/v1/media", MediaType.APPLICATION_OCTET_STREAM, TestMedia.text("hello")));
        cases.add(new Case("a 2 MB upload", HttpMethod.POST, "/v1/media", MediaType.APPLICATION_OCTET_STREAM,
                TestMedia.png(2 * 1024 * 1024)));
        return cases;
    }

    private static List<Case> hostileUrls() {
        List<String> urls = new ArrayList<>(List.of(
                "http://127.0.0.2/", "http://10.0.0.1/x.png", "http://172.16.0.1/", "http://192.168.0.1/",
                "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/", "http://198.18.0.1/",
                "http://224.0.0.1/", "http://255.255.255.255/", "http://[::]/", "http://[::1]/", "http://[::ffff:10.0.0.1]/",
                "http://[::ffff:169.254.169.254]/", "http://[::ffff:0:a00:1]/", "http://[::10.0.0.1]/", "http://[2002:a00:1::1]/",
                "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[64:ff9b::a00:1]/", "http://[64:ff9b:1::a00:1]/",
                "http://[fe80::1]/", "http://[fd00:ec2::254]/", "http://[fec0::1]/", "http://[ff02::1]/",
                "file:///etc/passwd", "ftp://example.org/x.png", "gopher://127.0.0.1:6379/_INFO", "jar:http://x/y!/z",
                "javascript:alert(1)", "http:///no-host", "http://user:pass@10.0.0.1/", "http://[not-an-ip]/", "http://%zz/",
                "http://127.0.0.1:1/", "data:image/png;base64", "data:image/png,plain", "data:image/png;base64,!!!!",
                base + "/redirect-metadata", base + "/redirect-private", base + "/redirect-v6", base + "/redirect-6to4",
                base + "/redirect-file", base + "/redirect-loop", base + "/slow", base + "/slow-headers", base + "/endless",
                base + "/huge-length", base + "/not-found", base + "/error", base + "/html"));
        List<Case> cases = new ArrayList<>();
        for (String url : urls) {
            String quoted = url.replace("\\", "\\\\").replace("\"", "\\\"");
            cases.add(json("chat image " + url, "/v1/chat/completions", "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\":"
                    + " \"user\", \"content\": [{\"type\": \"text\", \"text\": \"what is it\"}, {\"type\": \"image_url\","
                    + " \"image_url\": {\"url\": \"" + quoted + "\"}}]}]}"));
            cases.add(json("OCR image " + url, "/v1/ocr", "{\"image\": \"" + quoted + "\"}"));
            cases.add(json("key-frame video " + url, "/v1/video/keyframes", "{\"video\": \"" + quoted + "\"}"));
        }
        // names resolved through DNS (none of them public), once each: a slow or absent DNS server is bounded too
        for (String url : List.of("http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://localhost:1/")) {
            cases.add(json("OCR image " + url, "/v1/ocr", "{\"image\": \"" + url + "\"}"));
        }
        cases.add(json("chat trickling image", "/v1/chat/completions", "{\"model\": \"" + MODEL + "\", \"messages\": [{\"role\":"
                + " \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + base + "/trickle\"}}]}]}"));
        return cases;
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace("\n", " ");
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
}
