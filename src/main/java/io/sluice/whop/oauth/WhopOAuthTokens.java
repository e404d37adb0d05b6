package io.sluice.whop.oauth;

import io.sluice.config.WhopProperties;
import io.sluice.security.TokenCipher;
import io.sluice.store.WhopConnectionStore;
import io.sluice.whop.WhopNotConnectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The OAuth connection to Whop: starts an authorisation (state + PKCE S256), completes it from the callback, hands
 * out the access token and refreshes it before it expires, storing the rotated refresh token.
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

    public WhopOAuthTokens(WhopProperties whop, WhopConnectionStore store, WhopOAuthClient client, TokenCipher cipher,
                           Clock clock) {
        this.whop = whop;
        this.store = store;
        this.client = client;
        this.cipher = cipher;
        this.clock = clock;
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
        store.connect(cipher.encrypt(tokens.accessToken(), ACCESS),
                tokens.refreshToken() == null ? null : cipher.encrypt(tokens.refreshToken(), REFRESH),
                clock.instant().plusSeconds(tokens.expiresInSeconds()), tokens.scope());
        log.info("Connected to Whop through OAuth (scope: {})", tokens.scope());
    }

    /** The current access token, refreshed first when it expires within {@code sluice.whop.oauth.refresh-before}. */
    public synchronized String accessToken() {
        WhopConnectionStore.StoredConnection connection = store.find().orElseThrow(() ->
                new WhopNotConnectedException("Whop is not connected: open /auth/whop to connect through OAuth"));
        if (connection.expiresAt().minus(whop.oauth().refreshBefore()).isAfter(clock.instant())) {
            return cipher.decrypt(connection.accessToken(), ACCESS);
        }
        return refresh(connection);
    }

    private String refresh(WhopConnectionStore.StoredConnection connection) {
        if (connection.refreshToken() == null) {
            throw new WhopNotConnectedException("the Whop access token expired and there is no refresh token: reconnect at /auth/whop");
        }
        WhopOAuthClient.TokenResponse tokens;
        try {
            tokens = client.refresh(cipher.decrypt(connection.refreshToken(), REFRESH));
        } catch (WhopOAuthClient.TokenRequestRejectedException e) {
            store.recordError(e.getMessage());
            if (e.status() == 400 || e.status() == 401) {
                throw new WhopNotConnectedException("Whop refused to refresh the OAuth token (" + e.getMessage()
                        + "): reconnect at /auth/whop");
            }
            throw e;
        }
        store.refreshed(cipher.encrypt(tokens.accessToken(), ACCESS),
                tokens.refreshToken() == null ? null : cipher.encrypt(tokens.refreshToken(), REFRESH),
                clock.instant().plusSeconds(tokens.expiresInSeconds()));
        log.info("Refreshed the Whop OAuth access token; it expires in {} s", tokens.expiresInSeconds());
        return tokens.accessToken();
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
