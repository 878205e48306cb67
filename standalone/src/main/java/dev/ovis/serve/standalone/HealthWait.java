package dev.ovis.serve.standalone;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Polls {@code /actuator/health} of every service until each answers 200 (status UP), the way a
 * readiness probe would, so "ready" means what a client would see.
 */
final class HealthWait {

    private HealthWait() {
    }

    /**
     * @throws IllegalStateException naming the services still not UP when {@code timeout} ends,
     *                               with their last answer
     */
    static void untilUp(Map<Service, Integer> ports, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Map<Service, String> pending = new LinkedHashMap<>();
        ports.keySet().forEach(s -> pending.put(s, "not asked yet"));
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            while (!pending.isEmpty()) {
                for (Service service : pending.keySet().toArray(Service[]::new)) {
                    String answer = ask(client, ports.get(service));
                    if (answer == null) {
                        pending.remove(service);
                    } else {
                        pending.put(service, answer);
                    }
                }
                if (pending.isEmpty()) {
                    return;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("not healthy after " + timeout + ": " + pending);
                }
                Thread.sleep(200);
            }
        }
    }

    /** Null when UP, else what the service answered. */
    private static String ask(HttpClient client, int port) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? null : response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
