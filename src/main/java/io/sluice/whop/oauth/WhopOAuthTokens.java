package io.sluice.whop.oauth;

import io.sluice.config.WhopProperties;
import io.sluice.security.TokenCipher;
import io.sluice.store.WhopConnectionStore;
import io.sluice.whop.WhopNotConnectedException;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The OAuth connection to Whop: starts an authorisation (state + PKCE S256), completes it from the callback, hands
 * out the access token and refreshes it before it expires, storing the rotated refresh token. The refresh holds the
 * connection's row lock, so replicas on one database refresh one at a time and never spend a refresh token twice.
 * Tokens live only encrypted in the database and never reach a log line.
 */
@Component
public class WhopOAuthTokens {

    private static final Logger log = LoggerFactory.getLogger(WhopOAuthTokens.class);
    private static final String ACCESS = "whop-access-token";
    private static final String REFRESH = "whop-refresh-token";
    private static final String VERIFIER = "whop-pkce-verifier";
    private static final Duration STATE_MAX_AGE = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final WhopProperties whop;
    private final WhopConnectionStore store;
    private final WhopOAuthClient client;
    private final TokenCipher cipher;
    private final Clock clock;
    private final TransactionTemplate transaction;
    /** Tokens Whop rotated that the database did not take (it was down): newer than the stored ones. */
    private WhopOAuthClient.TokenResponse unsaved;
    private Instant unsavedExpiresAt;
    /** The stored refresh token (ciphertext) the unsaved tokens were refreshed from: they replace only that one. */
    private byte[] unsavedFrom;
    /** The refresh token (ciphertext) the refresh under way spends. */
    private byte[] spent;
    /**
     * Tries again to store unsaved tokens every {@link #SAVE_RETRY}, not only at this replica's next call: until they
     * are stored, another replica holds only the spent refresh token, and this one may not pull again for hours.
     */
    private final ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "whop-oauth-save");
        thread.setDaemon(true);
        return thread;
    });
    private static final Duration SAVE_RETRY = Duration.ofSeconds(5);

    public WhopOAuthTokens(WhopProperties whop, WhopConnectionStore store, WhopOAuthClient client, TokenCipher cipher,
                           Clock clock, PlatformTransactionManager transactions) {
        this.whop = whop;
        this.store = store;
        this.client = client;
        this.cipher = cipher;
        this.clock = clock;
        this.transaction = new TransactionTemplate(transactions);
    }

    /** The URL to send the operator's browser to; remembers the state and the PKCE verifier for the callback. */
    public String authorizationUrl() {
        requireConfigured();
        String state = randomToken(24);
        String verifier = randomToken(48);
        store.savePending(state, cipher.encrypt(verifier, VERIFIER));
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", whop.oauth().clientId());
        query.put("redirect_uri", whop.oauth().redirectUri());
        query.put("scope", whop.oauth().scope());
        query.put("state", state);
        query.put("nonce", randomToken(16));
        query.put("code_challenge", challenge(verifier));
        query.put("code_challenge_method", "S256");
        if (whop.companyId() != null) {
            query.put("company_id", whop.companyId());
        }
        StringBuilder url = new StringBuilder(whop.oauth().baseUrl().toString().replaceAll("/+$", "")).append("/authorize?");
        query.forEach((k, v) -> url.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&'));
        url.setLength(url.length() - 1);
        return url.toString();
    }

    /** Completes an authorisation from Whop's redirect: the state must be one this Sluice issued, unused and fresh. */
    public void complete(String code, String state) {
        requireConfigured();
        byte[] verifier = store.takePending(state, STATE_MAX_AGE).orElseThrow(() ->
                new IllegalArgumentException("unknown, used or expired OAuth state; start again at /auth/whop"));
        WhopOAuthClient.TokenResponse tokens = client.exchangeCode(code, cipher.decrypt(verifier, VERIFIER));
        synchronized (this) {
            unsaved = null; // a new connection replaces whatever an earlier one left unsaved
        }
        store.connect(cipher.encrypt(tokens.accessToken(), ACCESS),
                tokens.refreshToken() == null ? null : cipher.encrypt(tokens.refreshToken(), REFRESH),
                clock.instant().plusSeconds(tokens.expiresInSeconds()), tokens.scope());
        log.info("Connected to Whop through OAuth (scope: {})", tokens.scope());
    }

    /**
     * The current access token, refreshed first when it expires within {@code sluice.whop.oauth.refresh-before}. One
     * replica at a time refreshes: the others wait on the connection's row lock and then use what it stored.
     */
    public synchronized String accessToken() {
        storeUnsavedTokens();
        WhopConnectionStore.StoredConnection connection = store.find().orElseThrow(WhopOAuthTokens::notConnected);
        if (fresh(connection)) {
            return cipher.decrypt(connection.accessToken(), ACCESS);
        }
        if (unsaved != null) {
            return unsaved.accessToken(); // newer than the stored ones, which Whop no longer accepts
        }
        WhopOAuthClient.TokenResponse[] rotated = new WhopOAuthClient.TokenResponse[1];
        try {
            return transaction.execute(status -> {
                WhopConnectionStore.StoredConnection locked = store.findForUpdate().orElseThrow(WhopOAuthTokens::notConnected);
                if (fresh(locked)) {
                    return cipher.decrypt(locked.accessToken(), ACCESS); // another replica refreshed while this one waited
                }
                rotated[0] = refresh(locked);
                spent = locked.refreshToken();
                storeRefreshed(rotated[0], expiry(rotated[0]), spent); // the row is locked: it is still the one spent
                return rotated[0].accessToken();
            });
        } catch (WhopOAuthClient.TokenRequestRejectedException e) {
            store.recordError(e.getMessage()); // after the rollback, so the error stays for the status page
            if (e.status() == 400 || e.status() == 401) {
                throw new WhopNotConnectedException("Whop refused to refresh the OAuth token (" + e.getMessage()
                        + "): reconnect at /auth/whop");
            }
            throw e;
        } catch (DataAccessException | TransactionException e) {
            if (rotated[0] == null) {
                throw e;
            }
            // Whop has rotated the tokens, and the old refresh token is spent: keep the new ones until they are stored
            unsaved = rotated[0];
            unsavedExpiresAt = expiry(rotated[0]);
            unsavedFrom = spent;
            saver.schedule(this::retryStoringUnsavedTokens, SAVE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            log.error("The refreshed Whop OAuth tokens could not be stored ({}); this replica keeps them and stores them "
                    + "as soon as the database takes them", e.getClass().getSimpleName());
            return rotated[0].accessToken();
        }
    }

    private boolean fresh(WhopConnectionStore.StoredConnection connection) {
        return connection.expiresAt().minus(whop.oauth().refreshBefore()).isAfter(clock.instant());
    }

    private WhopOAuthClient.TokenResponse refresh(WhopConnectionStore.StoredConnection connection) {
        if (connection.refreshToken() == null) {
            throw new WhopNotConnectedException("the Whop access token expired and there is no refresh token: reconnect at /auth/whop");
        }
        WhopOAuthClient.TokenResponse tokens = client.refresh(cipher.decrypt(connection.refreshToken(), REFRESH));
        log.info("Refreshed the Whop OAuth access token; it expires in {} s", tokens.expiresInSeconds());
        return tokens;
    }

    private boolean storeRefreshed(WhopOAuthClient.TokenResponse tokens, Instant expiresAt, byte[] refreshedFrom) {
        return store.refreshed(cipher.encrypt(tokens.accessToken(), ACCESS),
                tokens.refreshToken() == null ? null : cipher.encrypt(tokens.refreshToken(), REFRESH), expiresAt, refreshedFrom);
    }

    private Instant expiry(WhopOAuthClient.TokenResponse tokens) {
        return clock.instant().plusSeconds(tokens.expiresInSeconds());
    }

    private synchronized void retryStoringUnsavedTokens() {
        try {
            storeUnsavedTokens();
        } catch (RuntimeException e) {
            log.warn("The refreshed Whop OAuth tokens still cannot be stored ({})", e.getClass().getSimpleName());
        } finally {
            if (unsaved != null) {
                saver.schedule(this::retryStoringUnsavedTokens, SAVE_RETRY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    @PreDestroy
    void stop() {
        saver.shutdownNow();
    }

    /** Stores tokens a refresh got while the database could not take them; they stay here until it can. */
    private void storeUnsavedTokens() {
        if (unsaved == null) {
            return;
        }
        try {
            if (storeRefreshed(unsaved, unsavedExpiresAt, unsavedFrom)) {
                log.info("Stored the refreshed Whop OAuth tokens kept since the database refused them");
            } else {
                // the commit that seemed to fail had gone through, and another replica has refreshed since: its are newer
                log.info("Dropped the refreshed Whop OAuth tokens kept since the database refused them: newer ones are stored");
            }
            unsaved = null;
        } catch (DataAccessException e) {
            log.warn("The refreshed Whop OAuth tokens still cannot be stored ({})", e.getClass().getSimpleName());
        }
    }

    private static WhopNotConnectedException notConnected() {
        return new WhopNotConnectedException("Whop is not connected: open /auth/whop to connect through OAuth");
    }

    /** Revokes the refresh token at Whop (best effort) and forgets the connection; true if there was one. */
    public synchronized boolean disconnect() {
        var connection = store.find();
        if (connection.isEmpty()) {
            return false;
        }
        if (connection.get().refreshToken() != null && whop.oauth().clientId() != null) {
            try {
                client.revoke(cipher.decrypt(connection.get().refreshToken(), REFRESH));
            } catch (RuntimeException e) {
                log.warn("Could not revoke the Whop refresh token ({}); forgetting it anyway", e.getMessage());
            }
        }
        store.disconnect();
        unsaved = null;
        log.info("Disconnected from Whop");
        return true;
    }

    /** What {@code GET /api/status} shows: never a token. */
    public Map<String, Object> status() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("configured", whop.oauth().clientId() != null);
        var connection = store.find();
        status.put("connected", connection.isPresent());
        connection.ifPresent(c -> {
            status.put("scope", c.scope());
            status.put("connectedAt", c.connectedAt());
            status.put("refreshedAt", c.refreshedAt());
            status.put("expiresAt", c.expiresAt());
            status.put("lastError", c.lastError());
        });
        return status;
    }

    private void requireConfigured() {
        if (whop.oauth().clientId() == null || whop.oauth().redirectUri() == null) {
            throw new IllegalStateException("Whop OAuth is not configured: set WHOP_CLIENT_ID and WHOP_OAUTH_REDIRECT_URI "
                    + "(the callback URL registered with your Whop app, ending in /auth/whop/callback)");
        }
    }

    private static String randomToken(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String challenge(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
