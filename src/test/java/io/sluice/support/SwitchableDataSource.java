package io.sluice.support;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** The application's real pool, with a switch that makes it behave like a database that is down. */
public class SwitchableDataSource extends DelegatingDataSource {

    private volatile boolean down;

    public SwitchableDataSource(DataSource target) {
        super(target);
    }

    public void setDown(boolean down) {
        this.down = down;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (down) {
            throw new SQLTransientConnectionException("Connection is not available, request timed out (database down)");
        }
        return super.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        if (down) {
            throw new SQLTransientConnectionException("Connection is not available, request timed out (database down)");
        }
        return super.getConnection(username, password);
    }
}
