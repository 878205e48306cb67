package dev.ovis.serve.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/** Which errors are a database outage (503 with Retry-After) rather than a bug (500). */
class DatabaseUnreachableTests {

    @Test
    void noConnectionForAStatementOrATransactionIsAnOutage() {
        SQLTransientConnectionException hikari = new SQLTransientConnectionException("Connection is not available, request timed out");
        assertThat(ProblemExceptionHandler.databaseUnreachable(new CannotGetJdbcConnectionException("no connection", hikari))).isTrue();
        // what TransactionTemplate throws (JobService.submit): not a DataAccessException, the cause tells
        assertThat(ProblemExceptionHandler.databaseUnreachable(
                new CannotCreateTransactionException("Could not open JDBC Connection for transaction", hikari))).isTrue();
    }

    /** PostgreSQL restarting under a transaction (seen in the multi-process fault run as a 500). */
    @Test
    void aConnectionLostOrTheServerShuttingDownIsAnOutageHoweverWrapped() {
        SQLException terminated = new SQLException("FATAL: terminating connection due to administrator command", "57P01");
        assertThat(ProblemExceptionHandler.databaseUnreachable(new TransactionSystemException("commit failed", terminated))).isTrue();
        SQLException io = new SQLException("An I/O error occurred while sending to the backend.", "08006");
        assertThat(ProblemExceptionHandler.databaseUnreachable(new IllegalStateException("wrapped", io))).isTrue();
        assertThat(ProblemExceptionHandler.databaseUnreachable(new SQLException("syntax error", "42601"))).isFalse();
    }

    /**
     * A commit lost with its connection, then the rollback Spring tries on that closed connection
     * failing too: the rollback's error is the one thrown, the commit's is kept beside it (seen in
     * the multi-process fault run as a 500 during a PostgreSQL restart).
     */
    @Test
    void aRollbackThatFailsAfterACommitLostWithItsConnectionIsAnOutage() {
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed")); // Hikari's closed proxy: no SQLState
        rollback.initApplicationException(new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        assertThat(ProblemExceptionHandler.databaseUnreachable(rollback)).isTrue();
        TransactionSystemException bug = new TransactionSystemException("JDBC rollback failed", new SQLException("Connection is closed"));
        bug.initApplicationException(new IllegalStateException("bug"));
        assertThat(ProblemExceptionHandler.databaseUnreachable(bug)).isFalse();
    }

    @Test
    void aRefusedStatementOrABugIsNot() {
        assertThat(ProblemExceptionHandler.databaseUnreachable(new DataIntegrityViolationException("duplicate key"))).isFalse();
        assertThat(ProblemExceptionHandler.databaseUnreachable(new IllegalStateException("bug"))).isFalse();
    }
}
