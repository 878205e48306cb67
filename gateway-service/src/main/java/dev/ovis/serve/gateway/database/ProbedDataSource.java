package dev.ovis.serve.gateway.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The application's pool, refusing a connection at once while {@link DatabaseProbe} sees PostgreSQL
 * gone. The refusal is a {@link SQLTransientConnectionException} (SQLState 08001), which every path
 * already answers as an outage: 503 with Retry-After over HTTP, a wait and retry in the consumers.
 */
final class ProbedDataSource extends DelegatingDataSource {

    private final DatabaseProbe probe;

    ProbedDataSource(DataSource pool, DatabaseProbe probe) {
        super(pool);
        this.probe = probe;
    }

    @Override
    public Connection getConnection() throws SQLException {
        refuseWhileDown();
        return super.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        refuseWhileDown();
        return super.getConnection(username, password);
    }

    private void refuseWhileDown() throws SQLTransientConnectionException {
        if (probe.databaseDown()) {
            throw new SQLTransientConnectionException("PostgreSQL at " + probe.addresses()
                    + " accepts no connections", "08001");
        }
    }
}
