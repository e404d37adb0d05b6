package io.sluice.whop.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.config.WhopProperties;
import io.sluice.http.ApiFailures;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiHttpClients;
import io.sluice.http.ApiRequest;
import io.sluice.http.ApiResponse;
import org.springframework.stereotype.Component;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whop's OAuth endpoints: token exchange, refresh and revocation, through an {@link ApiHttpClient} of their own
 * (budget, 429 hold, {@code whop_requests_total}). Token requests are form-encoded as OAuth 2.1 specifies; {@code client_secret} is sent only when
 * configured (whether Whop needs it for confidential clients is unconfirmed).
 */
@Component
public class WhopOAuthClient {

    /** The tokens Whop answered with. */
    public record TokenResponse(String accessToken, String refreshToken, long expiresInSeconds, String scope) {
    }

    /** Whop refused a token request; {@code status} is its HTTP status. */
    public static class TokenRequestRejectedException extends RuntimeException {
        private final int status;

        public TokenRequestRejectedException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** Whop's OAuth calls that did not get a token: unreachable or throttled ({@code status} 0), or refused. */
    private static final ApiFailures FAILURES = new ApiFailures() {
        @Override
        public RuntimeException retryable(String message, Duration retryAfter, Throwable cause) {
            return new TokenRequestRejectedException(0, message);
        }

        @Override
        public RuntimeException rejected(String message) {
            return new TokenRequestRejectedException(0, message);
        }
    };

    private final WhopProperties whop;
    private final ApiHttpClient client;

    public WhopOAuthClient(WhopProperties whop, ApiHttpClients clients) {
        this.whop = whop;
        // the OAuth host is not the API's: a budget and a 429 hold of its own, at the API's rate
        this.client = clients.create("whop", FAILURES, "whop-oauth", () -> whop.oauth().baseUrl().toString(), Map::of,
                "WHOP_CLIENT_ID and WHOP_CLIENT_SECRET", whop.api().maxRequestsPerSecond(), Duration.ofSeconds(1), WhopOAuthClient::refused);
    }

    /** Every refusal keeps Whop's status: a refused refresh (400, 401) means reconnecting, others may pass. */
    private static RuntimeException refused(ApiRequest request, ApiResponse response) {
        int status = response.status();
        if (request.operation().equals("oauth.revoke")) {
            return new TokenRequestRejectedException(status, "Whop refused to revoke the token (HTTP " + status + ")");
        }
        // OAuth error bodies carry 'error' and 'error_description', never the tokens we sent
        JsonNode json = response.json();
        String reason = json == null ? "" : (json.path("error").asText("") + " " + json.path("error_description").asText("")).trim();
        return new TokenRequestRejectedException(status, "Whop refused the token request (HTTP " + status + ")"
                + (reason.isEmpty() ? "" : ": " + clip(reason)));
    }

    private static String clip(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}]", " ");
        return clean.length() <= 300 ? clean : clean.substring(0, 300) + "…";
    }

    public TokenResponse exchangeCode(String code, String codeVerifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("client_id", whop.oauth().clientId());
        form.put("redirect_uri", whop.oauth().redirectUri());
        form.put("code_verifier", codeVerifier);
        return token(form);
    }

    public TokenResponse refresh(String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        form.put("client_id", whop.oauth().clientId());
        if (whop.companyId() != null) {
            form.put("company_id", whop.companyId()); // the authorisation was company-scoped: every refresh must say so
        }
        return token(form);
    }

    /** Revokes a refresh token; access tokens cannot be revoked and simply expire within the hour. */
    public void revoke(String refreshToken) {
        Map<String, String> body = Map.of("token", refreshToken, "client_id", whop.oauth().clientId());
        post("oauth.revoke", "/revoke", body, null);
    }

    private TokenResponse token(Map<String, String> form) {
        if (whop.oauth().clientSecret() != null) {
            form.put("client_secret", whop.oauth().clientSecret());
        }
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        JsonNode json = post("oauth.token", "/token", body, "application/x-www-form-urlencoded").json();
        if (json == null || !json.path("access_token").isTextual()) {
            throw new TokenRequestRejectedException(200, "Whop's token response has no access_token");
        }
        return new TokenResponse(json.path("access_token").asText(),
                json.path("refresh_token").isTextual() ? json.path("refresh_token").asText() : null,
                json.path("expires_in").asLong(3600), json.path("scope").asText(null));
    }

    private ApiResponse post(String operation, String path, Object body, String contentType) {
        return client.send(new ApiRequest(operation, "POST", path, null, body, contentType));
    }
}
