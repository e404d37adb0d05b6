package io.sluice.esign.docusign;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.sluice.esign.ESignFailures;
import io.sluice.esign.ESignProperties;
import io.sluice.esign.ESignRejectedException;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

/**
 * DocuSign's JWT grant: an RS256 assertion signed with the integration's private key buys
 * an access token (no refresh token: a new one is minted before the old expires), and the user's account record
 * names the REST host ({@code base_uri}) unless {@code DOCUSIGN_BASE_URL} is set.
 */
final class DocuSignTokens {

    private static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private static final Duration ASSERTION_LIFETIME = Duration.ofHours(1);

    private final ApiHttpClient oauth;
    private final ApiHttpClient userInfo;
    private final ESignProperties.DocuSign config;
    private final PrivateKey privateKey;
    private final Clock clock;
    private String accessToken;
    private Instant expiresAt = Instant.MIN;
    private volatile String restBase;

    DocuSignTokens(ApiHttpClients clients, ESignProperties.DocuSign config, Clock clock) {
        String hint = "DOCUSIGN_INTEGRATION_KEY, DOCUSIGN_USER_ID, DOCUSIGN_PRIVATE_KEY_FILE and DOCUSIGN_OAUTH_BASE_URL";
        this.oauth = clients.createAuthServer("esign", ESignFailures.INSTANCE, "docusign", () -> config.oauthBaseUrl().toString(), Map::of,
                hint, config.maxRequests(), config.per());
        this.userInfo = clients.createAuthServer("esign", ESignFailures.INSTANCE, "docusign", () -> config.oauthBaseUrl().toString(),
                () -> Map.of("Authorization", "Bearer " + accessToken()), hint, config.maxRequests(), config.per());
        this.config = config;
        this.privateKey = RsaPrivateKeys.read(config.privateKeyFile(), "sluice.esign.docusign.private-key-file (DOCUSIGN_PRIVATE_KEY_FILE)");
        this.clock = clock;
        this.restBase = config.baseUrl() == null ? null : config.baseUrl().toString().replaceAll("/+$", "");
    }

    /** A valid access token, minted anew when the current one is about to expire. */
    synchronized String accessToken() {
        Instant now = clock.instant();
        if (accessToken == null || now.isAfter(expiresAt.minus(RENEW_BEFORE))) {
            String body = "grant_type=" + URLEncoder.encode("urn:ietf:params:oauth:grant-type:jwt-bearer", StandardCharsets.UTF_8)
                    + "&assertion=" + assertion(now);
            ApiResponse response;
            try {
                response = oauth.send(new ApiRequest("oauth.token", "POST", "/oauth/token", null, body, "application/x-www-form-urlencoded"));
            } catch (ESignRejectedException e) {
                throw e.getMessage().contains("consent_required") ? new ESignRejectedException("DocuSign needs consent once for "
                        + "this integration key to act as DOCUSIGN_USER_ID: open " + consentUrl() + " as that user, then replay") : e;
            }
            JsonNode json = response.json();
            if (json == null || !json.path("access_token").isTextual()) {
                throw new ESignRejectedException("DocuSign's token answer has no access_token");
            }
            accessToken = json.path("access_token").asText();
            expiresAt = now.plusSeconds(json.path("expires_in").asLong(3600));
        }
        return accessToken;
    }

    /** The REST base ({@code …/restapi}): configured, or the account's {@code base_uri} from the user info. */
    String restBase() {
        if (restBase == null) {
            synchronized (this) {
                if (restBase == null) {
                    restBase = baseUriOfAccount();
                }
            }
        }
        return restBase;
    }

    private String baseUriOfAccount() {
        JsonNode info = userInfo.send(new ApiRequest("oauth.userinfo", "GET", "/oauth/userinfo", null, null)).json();
        for (JsonNode account : info == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : info.path("accounts")) {
            if (config.accountId().equals(account.path("account_id").asText()) && account.path("base_uri").isTextual()) {
                return account.path("base_uri").asText().replaceAll("/+$", "") + "/restapi";
            }
        }
        throw new ESignRejectedException("DOCUSIGN_USER_ID has no access to account DOCUSIGN_ACCOUNT_ID " + config.accountId()
                + " (not in its user info); check the account id");
    }

    private String assertion(Instant now) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(config.integrationKey())
                .subject(config.userId())
                .audience(audience(config.oauthBaseUrl()))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
                .claim("scope", "signature impersonation")
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        try {
            jwt.sign(new RSASSASigner(privateKey));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the DocuSign JWT assertion: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** The bare authority of the OAuth host, as DocuSign wants it in {@code aud} ({@code account-d.docusign.com}). */
    static String audience(URI oauthBase) {
        return oauthBase.getPort() < 0 ? oauthBase.getHost() : oauthBase.getHost() + ":" + oauthBase.getPort();
    }

    private String consentUrl() {
        return config.oauthBaseUrl().toString().replaceAll("/+$", "") + "/oauth/auth?response_type=code&scope=signature%20impersonation"
                + "&client_id=" + config.integrationKey() + "&redirect_uri=<a redirect URI registered for the key>";
    }
}
