package io.sluice.crm.zoho;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.crm.CrmRejectedException;
import io.sluice.http.ApiHttpClient;
import io.sluice.http.ApiRequest;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Zoho access tokens: refreshed at the data centre's accounts server with the one refresh
 * token (never minted per worker), kept in memory for their hour less a margin. The response's {@code api_domain}
 * is the API host to call. The refresh form is sent as a body, not a query, so the secrets stay out of URLs.
 */
final class ZohoTokens {

    private static final Duration MARGIN = Duration.ofMinutes(5);

    private final ApiHttpClient accounts;
    private final ZohoProperties zoho;
    private final Clock clock;
    private String accessToken;
    private Instant expiresAt = Instant.EPOCH;
    private String apiDomain;

    ZohoTokens(ApiHttpClient accounts, ZohoProperties zoho, Clock clock) {
        this.accounts = accounts;
        this.zoho = zoho;
        this.clock = clock;
    }

    synchronized String accessToken() {
        if (accessToken == null || expiresAt.minus(MARGIN).isBefore(clock.instant())) {
            refresh();
        }
        return accessToken;
    }

    /** Forgets the token after Zoho called it invalid: the next call refreshes. */
    synchronized void invalidate() {
        accessToken = null;
    }

    /** The API host: configured, else the one Zoho named with the token. */
    synchronized String apiBase() {
        if (zoho.apiBaseUrl() != null && !zoho.apiBaseUrl().isBlank()) {
            return zoho.apiBaseUrl().trim();
        }
        accessToken();
        return apiDomain;
    }

    static ApiRequest refreshRequest(ZohoProperties zoho) {
        String form = "grant_type=refresh_token&refresh_token=" + encode(zoho.refreshToken()) + "&client_id=" + encode(zoho.clientId())
                + "&client_secret=" + encode(zoho.clientSecret());
        return new ApiRequest("token.refresh", "POST", "/oauth/v2/token", null, form, "application/x-www-form-urlencoded");
    }

    private void refresh() {
        JsonNode json = accounts.send(refreshRequest(zoho)).json();
        if (json == null || json.has("error") || !json.path("access_token").isTextual()) {
            String error = json == null ? "no answer" : json.path("error").asText("no access_token");
            throw new io.sluice.crm.CrmCredentialRejectedException("Zoho refused to refresh the access token (" + error + "): check ZOHO_REFRESH_TOKEN, "
                    + "ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and that ZOHO_ACCOUNTS_URL is your data centre's accounts server");
        }
        accessToken = json.path("access_token").asText();
        expiresAt = clock.instant().plusSeconds(json.path("expires_in").asLong(3600));
        String domain = json.path("api_domain").asText(null);
        if (domain == null && (zoho.apiBaseUrl() == null || zoho.apiBaseUrl().isBlank())) {
            throw new CrmRejectedException("Zoho's token answer names no api_domain; set ZOHO_API_BASE_URL");
        }
        apiDomain = domain;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
