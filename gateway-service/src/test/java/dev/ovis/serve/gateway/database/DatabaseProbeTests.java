package dev.ovis.serve.gateway.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ovis.serve.gateway.problem.ProblemExceptionHandler;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * The PostgreSQL probe, round by round (no timing): a database whose port refuses connections is
 * down after one connect round, and the pool then refuses a connection without being asked — the
 * refusal is what the gateway already answers as an outage (503 with Retry-After).
 */
class DatabaseProbeTests {

    private static final DatabaseProbeProperties SETTINGS = new DatabaseProbeProperties(true, Duration.ofMillis(250),
            Duration.ofMillis(500));

    @Test
    void theHostsOfAPostgresUrlAreProbed() {
        assertThat(DatabaseProbe.addressesOf("jdbc:postgresql://127.0.0.1:6543/ovis?sslmode=disable"))
                .extracting(a -> a.getHostString() + ":" + a.getPort()).containsExactly("127.0.0.1:6543");
        assertThat(DatabaseProbe.addressesOf("jdbc:postgresql://db-a:5433,db-b/ovis"))
                .extracting(a -> a.getHostString() + ":" + a.getPort()).containsExactly("db-a:5433", "db-b:5432");
        assertThat(DatabaseProbe.addressesOf("jdbc:postgresql://[::1]:7000/ovis"))
                .extracting(a -> a.getHostString() + ":" + a.getPort()).containsExactly("::1:7000");
        assertThat(DatabaseProbe.addressesOf("jdbc:postgresql:ovis")).isEmpty();
        assertThat(DatabaseProbe.addressesOf("jdbc:h2:mem:x")).isEmpty();
        assertThat(DatabaseProbe.addressesOf(null)).isEmpty();
    }

    @Test
    void aRefusingPortIsDownAfterOneRoundAndThePoolIsNotAskedThen() throws Exception {
        int port = freePort();
        DatabaseProbe probe = new DatabaseProbe("jdbc:postgresql://127.0.0.1:" + port + "/ovis", SETTINGS);
        AtomicInteger asked = new AtomicInteger();
        DataSource pool = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    asked.incrementAndGet();
                    throw new UnsupportedOperationException(method.getName());
                });
        ProbedDataSource probed = new ProbedDataSource(pool, probe);

        assertThat(probe.databaseDown()).as("before any round").isFalse();
        probe.round();
        assertThat(probe.databaseDown()).as("after one connect round").isTrue();

        assertThatThrownBy(probed::getConnection).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining(String.valueOf(port));
        assertThat(asked).as("the pool is not asked while the database is down").hasValue(0);
        // What a repository sees (JdbcTemplate and the transaction manager go through DataSourceUtils),
        // and what the problem handler answers with 503.
        assertThatThrownBy(() -> DataSourceUtils.getConnection(probed)).isInstanceOf(CannotGetJdbcConnectionException.class)
                .satisfies(e -> assertThat(ProblemExceptionHandler.databaseUnreachable(e)).isTrue());

        try (ServerSocket database = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
            probe.round();
            assertThat(probe.databaseDown()).as("the port accepts again").isFalse();
            assertThatThrownBy(probed::getConnection).isInstanceOf(UnsupportedOperationException.class);
            assertThat(asked).as("the pool is asked again").hasValue(1);
        }
    }

    @Test
    void aUrlThatIsNotProbedNeverCountsAsDown() {
        DatabaseProbe probe = new DatabaseProbe("jdbc:postgresql:ovis", SETTINGS);
        probe.round();
        assertThat(probe.databaseDown()).isFalse();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
