package dev.ovis.serve.gateway.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;

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

    @Test
    void aRefusedStatementOrABugIsNot() {
        assertThat(ProblemExceptionHandler.databaseUnreachable(new DataIntegrityViolationException("duplicate key"))).isFalse();
        assertThat(ProblemExceptionHandler.databaseUnreachable(new IllegalStateException("bug"))).isFalse();
    }
}
