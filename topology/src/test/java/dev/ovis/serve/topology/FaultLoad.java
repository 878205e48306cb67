package dev.ovis.serve.topology;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The requests of the fault test and what a client saw of each: text chats (greedy and sampled
 * with a seed, streamed and not), image chats, OCR and key frames, spread over the gateways.
 * Each request's answer is reduced to what must be the same for every request of its group (the
 * chat text and finish reason, the OCR text, the key-frame indices), so a spliced or repeated
 * answer shows as a second distinct answer of its group.
 */
final class FaultLoad {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] PROMPTS = {"Describe Ovis2.", "What is a tower?", "Count to five.", "Name a cat."};
    private static final int MAX_REFUSALS = 60;

    /** What one request ended as, from the client's side. */
    record Outcome(String group, String answer, String failure, int refusals, String detail) {

        Outcome(String group, String answer, String failure, int refusals) {
            this(group, answer, failure, refusals, "");
        }

        boolean answered() {
            return answer != null;
        }

        /** A request whose gateway was SIGKILLed while it was in flight: cut with the process, not lost by the suite. */
        Outcome cutByKill() {
            return new Outcome(group, null, KILLED_GATEWAY + failure, refusals, detail);
        }

        /**
         * A request sent while its gateway was being killed: the dying process's socket still accepts
         * connections until it is gone, so a client whose request was just cut can send its next one
         * there too.
         */
        Outcome cutWhileDying() {
            return new Outcome(group, null, KILLED_GATEWAY + DYING + failure, refusals, detail);
        }
    }

    /** The failure prefix of a request cut by its gateway's SIGKILL. */
    static final String KILLED_GATEWAY = "KILLED GATEWAY: ";
    /** After {@link #KILLED_GATEWAY}: the request was sent after the SIGKILL, before the process had gone. */
    static final String DYING = "sent while it was dying: ";
    /** Rounds over every gateway while all refuse connections (each after a pause) before giving up. */
    private static final int CONNECT_ROUNDS = 60;

    private final List<String> gateways;
    private final String apiKey;
    private final String model;
    private final String image;
    private final String ocrImage;
    private final String video;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final AtomicInteger finished = new AtomicInteger();
    final Map<String, AtomicInteger> refusalsByStatus = new ConcurrentHashMap<>();
    /** When the SIGKILL of each killed gateway was sent, and when its process had gone (nanoTime), by URL. */
    private final Map<String, Long> killsSent = new ConcurrentHashMap<>();
    private final Map<String, Long> killsDone = new ConcurrentHashMap<>();
    final AtomicInteger failedOver = new AtomicInteger();

    FaultLoad(List<String> gateways, String apiKey, Path repository) throws IOException, InterruptedException {
        this.gateways = List.copyOf(gateways);
        this.apiKey = apiKey;
        this.image = dataUri("image/png", repository.resolve("fixtures/tiny-ovis2/reference/images/cat_small.png"));
        this.ocrImage = dataUri("image/png", repository.resolve("tools/smoke/hello.png"));
        this.video = dataUri("video/mp4", repository.resolve("tools/smoke/clip.mp4"));
        HttpResponse<String> models = get(gateways.getFirst(), "/v1/models");
        this.model = JSON.readTree(models.body()).get("data").get(0).get("id").asString();
    }

    /**
     * SIGKILLs a gateway through {@code kill} (which returns once the process is gone): requests in
     * flight on it until then are cut with it. Their clients may see the cut before {@code kill}
     * returns, so the start is recorded first.
     */
    void killGateway(String url, Runnable kill) {
        killsSent.put(url, System.nanoTime());
        kill.run();
        killsDone.put(url, System.nanoTime());
    }

    /**
     * Request {@code i}: its kind is {@code i % 6}, its gateway {@code i % gateways}. A gateway that
     * refuses the connection (killed, not back yet) is passed over for the next, as a load balancer
     * would; a request cut because its gateway was killed while it was in flight is marked so.
     */
    Outcome run(int i) {
        try {
            int first = i % gateways.size();
            for (int k = 0; ; k++) {
                String gateway = gateways.get((first + k) % gateways.size());
                long start = System.nanoTime();
                try {
                    return cut(send(i, gateway), gateway, start);
                } catch (java.net.ConnectException e) {
                    if (k + 1 >= gateways.size() * CONNECT_ROUNDS) {
                        return new Outcome(group(i), null, "i/o: no gateway accepts a connection: " + e, 0);
                    }
                    failedOver.incrementAndGet();
                    if ((k + 1) % gateways.size() == 0) {
                        Thread.sleep(500);
                    }
                } catch (IOException e) {
                    return cut(new Outcome(group(i), null, "i/o: " + e, 0), gateway, start);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(group(i), null, "interrupted", 0);
        } finally {
            finished.incrementAndGet();
        }
    }

    /** The outcome of a request that started at {@code start}, marked if it failed because its gateway was killed. */
    private Outcome cut(Outcome outcome, String gateway, long start) {
        Long sent = killsSent.get(gateway);
        if (outcome.answered() || sent == null) {
            return outcome;
        }
        Long done = killsDone.get(gateway);
        if (start <= sent) {
            return outcome.cutByKill();
        }
        return done == null || start <= done ? outcome.cutWhileDying() : outcome;
    }

    private Outcome send(int i, String gateway) throws IOException, InterruptedException {
        String prompt = PROMPTS[(i / 6) % PROMPTS.length];
        return switch (i % 6) {
            case 0 -> chat(gateway, "text:" + prompt, textChat(prompt, false, null), false);
            case 1 -> chat(gateway, "text:" + prompt, textChat(prompt, true, null), true);
            case 2 -> chat(gateway, "sampled:" + prompt, textChat(prompt, true, 7L), true);
            case 3 -> chat(gateway, "image", imageChat((i / 6) % 2 == 0), (i / 6) % 2 == 0);
            case 4 -> job(gateway, "ocr", "/v1/ocr", "{\"image\": \"" + ocrImage + "\"}", "ocr",
                    r -> r.get("text").asString());
            default -> job(gateway, "keyframes", "/v1/video/keyframes",
                    "{\"video\": \"" + video + "\", \"question\": \"what is shown?\", \"frames\": 2}", "keyframes",
                    r -> r.get("frames").valueStream().map(f -> f.get("index").asString()).toList().toString());
        };
    }

    private static String group(int i) {
        return "request kind " + (i % 6);
    }

    private String textChat(String prompt, boolean stream, Long seed) {
        return "{\"model\": \"" + model + "\", \"max_tokens\": 12, \"stream\": " + stream
                + (seed == null ? "" : ", \"temperature\": 1, \"seed\": " + seed)
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"" + prompt + "\"}]}";
    }

    private String imageChat(boolean stream) {
        return "{\"model\": \"" + model + "\", \"max_tokens\": 8, \"max_partition\": 1, \"stream\": " + stream
                + ", \"messages\": [{\"role\": \"user\","
                + " \"content\": [{\"type\": \"image_url\", \"image_url\": {\"url\": \"" + image + "\"}},"
                + " {\"type\": \"text\", \"text\": \"What is this?\"}]}]}";
    }

    private Outcome chat(String gateway, String group, String body, boolean stream)
            throws IOException, InterruptedException {
        String key = group;
        int refusals = 0;
        while (true) {
            HttpRequest request = request(gateway, "/v1/chat/completions", body);
            if (!stream) {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (refused(response.statusCode()) && refusals++ < MAX_REFUSALS) {
                    pause(response.headers().firstValue("Retry-After"));
                    continue;
                }
                if (response.statusCode() != 200) {
                    return new Outcome(key, null, "HTTP " + response.statusCode() + " " + code(response.body()), refusals);
                }
                JsonNode choice = JSON.readTree(response.body()).get("choices").get(0);
                return new Outcome(key, choice.get("message").get("content").asString() + " | "
                        + choice.get("finish_reason").asString(), null, refusals);
            }
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (refused(response.statusCode()) && refusals++ < MAX_REFUSALS) {
                response.body().close();
                pause(response.headers().firstValue("Retry-After"));
                continue;
            }
            if (response.statusCode() != 200) {
                String text;
                try (InputStream in = response.body()) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                return new Outcome(key, null, "HTTP " + response.statusCode() + " " + code(text), refusals);
            }
            return readStream(key, response.body(), refusals);
        }
    }

    /** The streamed text; a second finish reason, a second [DONE] or an error event is a failure. */
    private static Outcome readStream(String key, InputStream body, int refusals) throws IOException {
        StringBuilder text = new StringBuilder();
        List<String> finishReasons = new ArrayList<>();
        int done = 0;
        int events = 0;
        String id = null;
        long started = System.nanoTime();
        String error = null;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.startsWith("data:")) {
                    continue;
                }
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    done++;
                    continue;
                }
                if (done > 0) {
                    error = "data after [DONE]";
                }
                JsonNode event = JSON.readTree(data);
                events++;
                if (id == null && event.hasNonNull("id")) {
                    id = event.get("id").asString();
                }
                if (event.has("error")) {
                    error = "in-stream error " + event.get("error").path("code").asString();
                    continue;
                }
                for (JsonNode choice : event.path("choices")) {
                    JsonNode content = choice.path("delta").path("content");
                    if (content.isString()) {
                        text.append(content.asString());
                    }
                    if (choice.hasNonNull("finish_reason")) {
                        finishReasons.add(choice.get("finish_reason").asString());
                    }
                }
            }
        }
        if (error != null) {
            return new Outcome(key, null, error, refusals);
        }
        String detail = id + " after " + events + " events and " + (System.nanoTime() - started) / 1_000_000
                + " ms, ended at " + java.time.Instant.now() + ", text so far " + text;
        if (done == 0 && finishReasons.isEmpty()) {
            return new Outcome(key, null, "CUT: the stream ended without a finish reason or [DONE]", refusals, detail);
        }
        if (done != 1 || finishReasons.size() != 1) {
            return new Outcome(key, null, "DUPLICATE: " + done + " × [DONE], finish reasons " + finishReasons, refusals,
                    detail);
        }
        return new Outcome(key, text + " | " + finishReasons.getFirst(), null, refusals);
    }

    private Outcome job(String gateway, String group, String path, String body, String member,
                        Function<JsonNode, String> answer) throws IOException, InterruptedException {
        int refusals = 0;
        while (true) {
            HttpResponse<String> response = http.send(request(gateway, path, body), HttpResponse.BodyHandlers.ofString());
            if (refused(response.statusCode()) && refusals++ < MAX_REFUSALS) {
                pause(response.headers().firstValue("Retry-After"));
                continue;
            }
            if (response.statusCode() == 200) {
                return new Outcome(group, answer.apply(JSON.readTree(response.body())), null, refusals);
            }
            if (response.statusCode() != 202) {
                return new Outcome(group, null, "HTTP " + response.statusCode() + " " + code(response.body()), refusals);
            }
            String id = JSON.readTree(response.body()).get("id").asString();
            return awaitJob(gateway, group, id, member, answer, refusals);
        }
    }

    private Outcome awaitJob(String gateway, String group, String id, String member,
                             Function<JsonNode, String> answer, int refusals)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        int polled = gateways.indexOf(gateway);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response;
            try {
                response = get(gateways.get(polled), "/v1/jobs/" + id);
            } catch (IOException e) {
                // killed, or busy reconnecting to PostgreSQL: any gateway knows the job
                polled = (polled + 1) % gateways.size();
                Thread.sleep(500);
                continue;
            }
            if (response.statusCode() == 200) {
                JsonNode job = JSON.readTree(response.body());
                switch (job.get("status").asString()) {
                    case "SUCCEEDED" -> {
                        return new Outcome(group, answer.apply(job.get("result").get(member)), null, refusals);
                    }
                    case "FAILED", "CANCELLED" -> {
                        return new Outcome(group, null, job.get("status").asString() + " "
                                + job.path("error").path("code").asString(job.path("error_code").asString("")), refusals);
                    }
                    default -> {
                        // still under way
                    }
                }
            }
            Thread.sleep(300);
        }
        return new Outcome(group, null, "no terminal state for job " + id + " within 5 min", refusals);
    }

    private boolean refused(int status) {
        if (status == 429 || status == 503) {
            refusalsByStatus.computeIfAbsent(String.valueOf(status), s -> new AtomicInteger()).incrementAndGet();
            return true;
        }
        return false;
    }

    private static void pause(Optional<String> retryAfter) throws InterruptedException {
        long seconds = retryAfter.map(v -> {
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return 1L;
            }
        }).orElse(1L);
        Thread.sleep(Duration.ofSeconds(Math.min(Math.max(seconds, 1), 5)));
    }

    private static String code(String body) {
        try {
            JsonNode problem = JSON.readTree(body);
            return problem.path("code").asString(problem.path("error").path("code").asString("")) + " "
                    + problem.path("detail").asString("");
        } catch (RuntimeException e) {
            return body.length() > 200 ? body.substring(0, 200) : body;
        }
    }

    /**
     * A POST on a connection of its own ({@code Connection: close}; the pom allows that header): on a
     * kept-alive connection to a gateway killed meanwhile it would fail without telling whether the
     * gateway had it, where a new connection is refused and the request fails over, as a load balancer's
     * would. (GETs reuse connections: the client retries those by itself.)
     */
    private HttpRequest request(String gateway, String path, String body) {
        return HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofMinutes(5))
                .header("Connection", "close")
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> get(String gateway, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String dataUri(String type, Path file) throws IOException {
        return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }
}
