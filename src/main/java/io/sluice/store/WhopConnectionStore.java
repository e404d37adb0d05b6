package io.sluice.store;

import io.sluice.config.DatabaseProduct;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** The Whop OAuth connection (encrypted tokens) and the authorisations in flight (state and PKCE verifier). */
@Repository
public class WhopConnectionStore {

    private static final String ID = "whop";

    /** The stored connection; token columns are ciphertext. */
    public record StoredConnection(byte[] accessToken, byte[] refreshToken, Instant expiresAt, String scope,
                                   Instant connectedAt, Instant refreshedAt, String lastError) {
    }

    private static final String SELECT = "SELECT access_token, refresh_token, expires_at, scope, connected_at, refreshed_at, "
            + "last_error FROM whop_connection WHERE id = ?";
    private static final RowMapper<StoredConnection> ROW = (rs, n) -> new StoredConnection(rs.getBytes("access_token"),
            rs.getBytes("refresh_token"), SqlTime.read(rs, "expires_at"), rs.getString("scope"), SqlTime.read(rs, "connected_at"),
            SqlTime.read(rs, "refreshed_at"), rs.getString("last_error"));

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final DatabaseProduct database;

    public WhopConnectionStore(JdbcTemplate jdbc, Clock clock, DatabaseProduct database) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.database = database;
    }

    public Optional<StoredConnection> find() {
        return jdbc.query(SELECT, ROW, ID).stream().findFirst();
    }

    /**
     * The stored connection, its row locked until the caller's transaction ends: how one replica at a time refreshes
     * the tokens (Whop rotates the refresh token on every use, so two refreshing at once would lose the connection).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<StoredConnection> findForUpdate() {
        if (database.postgres()) {
            // a replica waits for the lock at most this long; and one that holds it while stuck (its network gone in
            // the middle of the refresh call) loses its session, and the lock, once idle this long
            jdbc.execute("SET LOCAL lock_timeout = '100s'");
            jdbc.execute("SET LOCAL idle_in_transaction_session_timeout = '90s'");
        }
        return jdbc.query(SELECT + " FOR UPDATE", ROW, ID).stream().findFirst();
    }

    /** Stores a new connection, replacing any earlier one. */
    @Transactional
    public void connect(byte[] accessToken, byte[] refreshToken, Instant expiresAt, String scope) {
        jdbc.update("DELETE FROM whop_connection WHERE id = ?", ID);
        jdbc.update("INSERT INTO whop_connection (id, access_token, refresh_token, expires_at, scope, connected_at) "
                + "VALUES (?, ?, ?, ?, ?, ?)", ID, accessToken, refreshToken, SqlTime.of(expiresAt), scope,
                SqlTime.of(clock.instant()));
    }

    /**
     * Stores refreshed tokens: Whop rotates the refresh token on every use, so the new one replaces the old, if the
     * stored one is still {@code refreshedFrom} (the one spent for them). False when another refresh stored newer tokens.
     */
    public boolean refreshed(byte[] accessToken, byte[] refreshToken, Instant expiresAt, byte[] refreshedFrom) {
        return jdbc.update("UPDATE whop_connection SET access_token = ?, refresh_token = COALESCE(?, refresh_token), expires_at = ?, "
                + "refreshed_at = ?, last_error = NULL WHERE id = ? AND refresh_token = ?", accessToken, refreshToken,
                SqlTime.of(expiresAt), SqlTime.of(clock.instant()), ID, refreshedFrom) == 1;
    }

    public void recordError(String error) {
        jdbc.update("UPDATE whop_connection SET last_error = ? WHERE id = ?", ErrorText.truncate(error), ID);
    }

    public boolean disconnect() {
        return jdbc.update("DELETE FROM whop_connection WHERE id = ?", ID) == 1;
    }

    public void savePending(String state, byte[] codeVerifier) {
        jdbc.update("INSERT INTO oauth_pending (state, code_verifier, created_at) VALUES (?, ?, ?)",
                state, codeVerifier, SqlTime.of(clock.instant()));
    }

    /** Takes (and deletes) the verifier of a state younger than {@code maxAge}: each state is used once. */
    @Transactional
    public Optional<byte[]> takePending(String state, Duration maxAge) {
        jdbc.update("DELETE FROM oauth_pending WHERE created_at < ?", SqlTime.of(clock.instant().minus(maxAge)));
        Optional<byte[]> verifier = jdbc.query("SELECT code_verifier FROM oauth_pending WHERE state = ?",
                (rs, n) -> rs.getBytes("code_verifier"), state).stream().findFirst();
        verifier.ifPresent(v -> jdbc.update("DELETE FROM oauth_pending WHERE state = ?", state));
        return verifier;
    }
}
