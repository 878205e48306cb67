package dev.ovis.serve.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jobs through two gateways of the multi-process topology while an llm worker and the vision
 * worker are killed with SIGKILL and started again, the broker and PostgreSQL are restarted once
 * each, then one gateway, the OCR and the video worker are killed and started again. Requests in
 * flight on the killed gateway are cut with it (their jobs must still end); while it is down, its
 * clients go to the other gateway, as behind a load balancer. Every accepted job must reach a terminal state, no client may see a duplicated or
 * spliced answer (every answer of a group of identical requests is the same), and nothing may be
 * left QUEUED or RUNNING. Prints the counts; {@code -Dovis.fault.jobs=N} sizes it (default 1000, as
 * about 6 minutes on two cores), {@code -Dovis.fault.infra=false} leaves the broker and PostgreSQL
 * alone. Part of the test command and so of CI; {@code -Dovis.fault=false} skips it for a quicker
 * local run (docs/reliability.md, "The multi-process fault test").
 */
@DisabledIfSystemProperty(named = "ovis.fault", matches = "false")
class TopologyFaultIT {

    private static final int JOBS = Integer.getInteger("ovis.fault.jobs", 1000);
    private static final boolean INFRA_FAULTS = Boolean.parseBoolean(System.getProperty("ovis.fault.infra", "true"));
    private static final int CLIENTS = 6;
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    private static Topology topology;

    @BeforeAll
    static void start() throws IOException {
        Path dataDir = Files.createDirectories(Path.of("target")).resolve("topology-fault-" + System.currentTimeMillis())
                .toAbsolutePath();
        Map<String, String> environment = Map.of(
                // A lost worker's job is dispatched again after seconds, not a minute.
                "OVIS_GATEWAY_JOBS_LEASE", "10s",
                "OVIS_GATEWAY_JOBS_REAPERINTERVAL", "1s",
                "OVIS_STAGE_HEARTBEATINTERVAL", "2s",
                // One tenant sends everything here: no rate limit.
                "OVIS_GATEWAY_LIMITS_ENABLED", "false");
        topology = Topology.start(new Topology.Settings(REPOSITORY, dataDir, Topology.DEFAULT_REPLICAS, environment,
                List.of("-XX:+UseSerialGC", "-Xss512k", "-XX:TieredStopAtLevel=1"), Duration.ofMinutes(4)));
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    @Test
    void everyAcceptedJobEndsOnceWhileWorkersAreKilledAndTheBrokerAndDatabaseRestart() throws Exception {
        FaultLoad load = new FaultLoad(topology.gatewayUrls(), topology.apiKey(), REPOSITORY);
        CountDownLatch faultsDone = new CountDownLatch(1);
        List<String> faultLog = new ArrayList<>();
        Thread faults = Thread.ofPlatform().name("faults").start(() -> {
            try {
                fault(load, 0.15, "SIGKILL llm-1", () -> topology.kill("llm-1"), faultLog);
                fault(load, 0.15, "start llm-1", () -> topology.startAgain("llm-1"), faultLog);
                fault(load, 0.30, "SIGKILL vision-1", () -> topology.kill("vision-1"), faultLog);
                fault(load, 0.30, "start vision-1", () -> topology.startAgain("vision-1"), faultLog);
                if (INFRA_FAULTS) {
                    fault(load, 0.45, "restart kafka", () -> topology.restart("kafka"), faultLog);
                    fault(load, 0.60, "restart postgres", () -> topology.restart("postgres"), faultLog);
                }
                fault(load, 0.70, "SIGKILL gateway-2",
                        () -> load.killGateway(gatewayUrl("gateway-2"), () -> topology.kill("gateway-2")), faultLog);
                fault(load, 0.70, "start gateway-2", () -> topology.startAgain("gateway-2"), faultLog);
                fault(load, 0.78, "SIGKILL ocr-1", () -> topology.kill("ocr-1"), faultLog);
                fault(load, 0.78, "start ocr-1", () -> topology.startAgain("ocr-1"), faultLog);
                fault(load, 0.84, "SIGKILL video-1", () -> topology.kill("video-1"), faultLog);
                fault(load, 0.84, "start video-1", () -> topology.startAgain("video-1"), faultLog);
            } finally {
                faultsDone.countDown();
            }
        });

        long t0 = System.nanoTime();
        List<FaultLoad.Outcome> outcomes = new ArrayList<>();
        try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
            List<Future<FaultLoad.Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                int request = i;
                futures.add(clients.submit(() -> {
                    // The last tenth waits for the faults, so every fault happens under load.
                    if (request >= JOBS * 9 / 10) {
                        faultsDone.await();
                    }
                    return load.run(request);
                }));
            }
            for (Future<FaultLoad.Outcome> future : futures) {
                outcomes.add(future.get(10, TimeUnit.MINUTES));
            }
        }
        faults.join(Duration.ofMinutes(5).toMillis());
        long seconds = (System.nanoTime() - t0) / 1_000_000_000;

        // Nothing left under way: every accepted job ended (the reaper has the last word).
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> count("select count(*) from jobs where status in ('QUEUED', 'RUNNING')") == 0);
        Map<String, Long> statuses = counts("select status || coalesce(' ' || error_code, ''), count(*) from jobs group by 1");
        long accepted = count("select count(*) from jobs");
        long retried = count("select count(*) from jobs where attempts > 1");
        long unfinished = count("select count(*) from jobs where status in ('QUEUED', 'RUNNING') or finished_at is null");

        Map<String, Set<String>> answersByGroup = outcomes.stream().filter(FaultLoad.Outcome::answered)
                .collect(Collectors.groupingBy(FaultLoad.Outcome::group, TreeMap::new,
                        Collectors.mapping(FaultLoad.Outcome::answer, Collectors.toSet())));
        long spliced = answersByGroup.values().stream().mapToLong(a -> a.size() - 1).sum();
        long duplicated = outcomes.stream().filter(o -> o.failure() != null && o.failure().startsWith("DUPLICATE")).count();
        long lost = outcomes.stream().filter(o -> !o.answered() && lostFailure(o.failure())).count();
        long cutByKill = outcomes.stream().filter(o -> !o.answered() && o.failure().startsWith(FaultLoad.KILLED_GATEWAY)).count();
        long cutWhileDying = outcomes.stream()
                .filter(o -> !o.answered() && o.failure().startsWith(FaultLoad.KILLED_GATEWAY + FaultLoad.DYING)).count();
        long succeeded = outcomes.stream().filter(FaultLoad.Outcome::answered).count();
        Map<String, Long> failures = outcomes.stream().filter(o -> !o.answered())
                .collect(Collectors.groupingBy(FaultLoad.Outcome::failure, TreeMap::new, Collectors.counting()));

        System.out.printf("""
                TopologyFaultIT: %d requests in %d s through %d gateways; faults: %s
                  jobs accepted (rows): %d, by status: %s
                  jobs retried (attempts > 1): %d
                  client answers: %d succeeded, failed with reason: %s
                  refusals retried by clients (status: count): %s; requests passed to the other gateway (connection refused): %d
                  requests cut by the SIGKILL of their gateway (their jobs still end): %d in flight then, %d sent while it was dying
                  duplicates: %d (stream) + %d (second distinct answer in a group), lost (no answer, a cut stream): %d, unfinished rows: %d
                %n""", JOBS, seconds, topology.gatewayUrls().size(), faultLog, accepted, statuses, retried, succeeded,
                failures, load.refusalsByStatus, load.failedOver.get(), cutByKill - cutWhileDying, cutWhileDying, duplicated, spliced, lost, unfinished);

        outcomes.stream().filter(o -> !o.answered()).limit(30)
                .forEach(o -> System.out.println("  failed: " + o.group() + ": " + o.failure() + " " + o.detail()));

        assertThat(faultLog).as("every fault happened").hasSize(INFRA_FAULTS ? 12 : 10);
        // one request per client can be in flight when the SIGKILL is sent; the ones sent after it,
        // before the process had gone, were accepted by its dying socket (counted apart, not bounded)
        assertThat(cutByKill - cutWhileDying).as("only requests in flight on the killed gateway are cut with it")
                .isLessThanOrEqualTo(CLIENTS);
        assertThat(unfinished).as("jobs left QUEUED or RUNNING").isZero();
        assertThat(lost).as("requests that never got an answer: " + failures).isZero();
        assertThat(duplicated).as("streams with a repeated end: " + failures).isZero();
        assertThat(answersByGroup).as("one answer per group of identical requests")
                .allSatisfy((group, answers) -> assertThat(answers).as(group).hasSize(1));
        assertThat(failures.keySet()).as("every failure carries a reason").allSatisfy(f -> assertThat(f).isNotBlank());
        assertThat(accepted).as("every answered request is a job").isGreaterThanOrEqualTo(succeeded);
    }

    /** No answer and no reason from the suite: a timeout, a dropped connection, a job never ended. */
    private static boolean lostFailure(String failure) {
        return failure.startsWith("i/o") || failure.startsWith("CUT") || failure.startsWith("no terminal state") || failure.startsWith("interrupted");
    }

    private static String gatewayUrl(String name) {
        return "http://127.0.0.1:" + topology.member(name).port();
    }

    private static void fault(FaultLoad load, double atFraction, String name, Runnable action, List<String> log) {
        Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> load.finished.get() >= JOBS * atFraction);
        long t0 = System.nanoTime();
        action.run();
        synchronized (log) {
            log.add(name + " at " + load.finished.get() + " done (" + (System.nanoTime() - t0) / 1_000_000 + " ms, finished "
                    + java.time.LocalTime.now() + ")");
        }
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Map<String, Long> counts(String sql) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    private static Connection connection() throws SQLException {
        return DriverManager.getConnection(topology.jdbcUrl(), topology.dbUser(), topology.dbPassword());
    }
}
