package dev.ovis.serve.gateway.job;

import dev.ovis.serve.gateway.BlockingSchedulers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.postgresql.Driver;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.SmartLifecycle;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Pushes job changes made by any gateway instance to the event streams of this one: a connection of
 * its own (not the pool's: it is held for ever) {@code LISTEN}s on {@value #CHANNEL}, which a trigger
 * on {@code jobs} notifies with the job id whenever a job's version goes up (migration V6), at commit.
 * For ids somebody watches here, the rows are re-read on the JDBC scheduler and handed to the
 * watchers' sinks; a stream drops what is not newer than what it has. The connection is lost when
 * PostgreSQL restarts: it is opened again with a doubling back-off, and every watched job is re-read
 * then, since notifications sent meanwhile are gone. One thread, started and stopped with the context.
 */
final class JobNotifications implements SmartLifecycle {

    static final String CHANNEL = "ovis_job_changes";
    /** Rows re-read per statement when resynchronising every watched job. */
    private static final int READ_BATCH = 500;
    private static final int READ_RETRIES = 3;
    private static final Logger log = LoggerFactory.getLogger(JobNotifications.class);

    private final DataSourceProperties database;
    private final JobRepository jobs;
    private final JobSinks<Job> updates;
    private final BlockingSchedulers schedulers;
    private final JobNotificationsProperties settings;
    private final Counter received;
    private final Counter reconnects;
    private volatile boolean running;
    private volatile boolean connected;
    private Thread thread;

    JobNotifications(DataSourceProperties database, JobRepository jobs, JobSinks<Job> updates, BlockingSchedulers schedulers,
                     JobNotificationsProperties settings, MeterRegistry meters) {
        this.database = database;
        this.jobs = jobs;
        this.updates = updates;
        this.schedulers = schedulers;
        this.settings = settings;
        this.received = Counter.builder("ovis.gateway.jobs.notifications").description("job changes pushed by PostgreSQL")
                .register(meters);
        this.reconnects = Counter.builder("ovis.gateway.jobs.notifications.reconnects")
                .description("times the listening connection was opened again after it was lost").register(meters);
        Gauge.builder("ovis.gateway.jobs.notifications.connected", this, n -> n.connected ? 1 : 0)
                .description("1 while this instance listens for job changes").register(meters);
    }

    /** Whether the listening connection is open and {@code LISTEN} was run on it. */
    boolean connected() {
        return connected;
    }

    @Override
    public synchronized void start() {
        if (running || !settings.enabled()) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("job-notifications").start(this::run);
    }

    @Override
    public synchronized void stop() {
        // the thread sees it within one wait; closing its connection under it could block on the driver's lock
        running = false;
        if (thread != null) {
            try {
                thread.join(settings.listenWait().toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void run() {
        Duration backoff = settings.reconnectBackoff();
        boolean first = true;
        while (running) {
            try (Connection connection = connect()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                connected = true;
                if (!first) {
                    reconnects.increment();
                    log.info("listening for job changes again");
                }
                first = false;
                backoff = settings.reconnectBackoff();
                // changes committed while nobody listened were never delivered: re-read what is watched
                reread(updates.watchedIds());
                listen(connection.unwrap(PGConnection.class), connection);
            } catch (SQLException | RuntimeException e) {
                // RuntimeException too (no datasource URL, a driver bug): the thread must outlive it and try again
                if (running && backoff.equals(settings.reconnectBackoff())) {
                    log.warn("not listening for job changes ({}): until the connection is back, event streams see changes"
                            + " applied by other instances only at their safety re-read", e.getMessage());
                } else if (running) {
                    log.debug("still not listening for job changes ({}), next try in {}", e.getMessage(), backoff);
                }
            } finally {
                connected = false;
            }
            if (running) {
                sleep(backoff);
                backoff = min(backoff.multipliedBy(2), settings.maxReconnectBackoff());
            }
        }
    }

    /** Waits for notifications until stopped or the connection fails (thrown). */
    private void listen(PGConnection notifications, Connection connection) throws SQLException {
        long quietSince = System.nanoTime();
        while (running) {
            PGNotification[] batch = notifications.getNotifications((int) Math.max(1, settings.listenWait().toMillis()));
            if (batch != null && batch.length > 0) {
                received.increment(batch.length);
                Set<String> watched = new LinkedHashSet<>();
                for (PGNotification notification : batch) {
                    if (updates.watches(notification.getParameter())) {
                        watched.add(notification.getParameter());
                    }
                }
                reread(watched);
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > settings.checkInterval().toNanos()) {
                if (!connection.isValid((int) Math.max(1, settings.checkInterval().toSeconds()))) {
                    throw new SQLException("the listening connection does not answer");
                }
                quietSince = System.nanoTime();
            }
        }
    }

    /** Reads these jobs on the JDBC scheduler and hands each to its watchers. */
    private void reread(Set<String> ids) {
        List<String> all = new ArrayList<>(ids);
        for (int from = 0; from < all.size(); from += READ_BATCH) {
            List<String> batch = List.copyOf(all.subList(from, Math.min(all.size(), from + READ_BATCH)));
            Mono.fromCallable(() -> jobs.findAll(batch)).subscribeOn(schedulers.db())
                    // after PostgreSQL restarted, the pool hands out connections it has not yet found broken
                    .retryWhen(Retry.backoff(READ_RETRIES, settings.reconnectBackoff()))
                    .subscribe(rows -> rows.forEach(job -> updates.emit(job.id(), job)),
                            e -> log.warn("re-reading {} notified jobs failed ({}): their streams wait for the next change"
                                    + " or their safety re-read", batch.size(), e.toString()));
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (database.determineUsername() != null) {
            properties.setProperty("user", database.determineUsername());
        }
        if (database.determinePassword() != null) {
            properties.setProperty("password", database.determinePassword());
        }
        properties.setProperty("ApplicationName", "ovis-gateway job-notifications");
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("tcpKeepAlive", "true");
        // the driver itself rather than DriverManager, whose look-up depends on class loaders (a packaged jar)
        Connection connection = new Driver().connect(database.determineUrl(), properties);
        if (connection == null) {
            throw new SQLException("spring.datasource.url is not a PostgreSQL URL; job changes cannot be listened for");
        }
        return connection;
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
