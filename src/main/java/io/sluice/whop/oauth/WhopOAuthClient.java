package io.sluice.whop.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.SluiceProperties;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Whop's OAuth endpoints: token exchange, refresh and revocation, through Camel's HTTP
 * component. Token requests are form-encoded as OAuth 2.1 specifies; {@code client_secret} is sent only when
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

    private final SluiceProperties.Whop whop;
    private final ProducerTemplate producer;
    private final ObjectMapper objectMapper;

    public WhopOAuthClient(SluiceProperties properties, ProducerTemplate producer, ObjectMapper objectMapper) {
        this.whop = properties.whop();
        this.producer = producer;
        this.objectMapper = objectMapper;
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
        Exchange result = post("/revoke", "application/json", toJson(body));
        int status = status(result);
        if (status >= 300) {
            throw new TokenRequestRejectedException(status, "Whop refused to revoke the token (HTTP " + status + ")");
        }
    }

    private TokenResponse token(Map<String, String> form) {
        if (whop.oauth().clientSecret() != null) {
            form.put("client_secret", whop.oauth().clientSecret());
        }
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        Exchange result = post("/token", "application/x-www-form-urlencoded", body);
        int status = status(result);
        JsonNode json = readJson(result);
        if (status >= 300) {
            // OAuth error bodies carry 'error' and 'error_description', never the tokens we sent
            String reason = json == null ? "" : (json.path("error").asText("") + " " + json.path("error_description").asText("")).trim();
            throw new TokenRequestRejectedException(status, "Whop refused the token request (HTTP " + status + ")"
                    + (reason.isEmpty() ? "" : ": " + clip(reason)));
        }
        if (json == null || !json.path("access_token").isTextual()) {
            throw new TokenRequestRejectedException(status, "Whop's token response has no access_token");
        }
        return new TokenResponse(json.path("access_token").asText(),
                json.path("refresh_token").isTextual() ? json.path("refresh_token").asText() : null,
                json.path("expires_in").asLong(3600), json.path("scope").asText(null));
    }

    private Exchange post(String path, String contentType, String body) {
        String uri = whop.oauth().baseUrl().toString().replaceAll("/+$", "") + path + "?throwExceptionOnFailure=false";
        Exchange result = producer.send(uri, exchange -> {
            exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "POST");
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
            exchange.getMessage().setHeader("Accept", "application/json");
            exchange.getMessage().setBody(body);
        });
        if (result.getException() != null) {
            throw new TokenRequestRejectedException(0, "cannot reach Whop's OAuth endpoint: "
                    + result.getException().getClass().getSimpleName());
        }
        return result;
    }

    private static int status(Exchange result) {
        Integer status = result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        return status == null ? 0 : status;
    }

    private JsonNode readJson(Exchange result) {
        try {
            byte[] bytes = result.getMessage().getBody(byte[].class);
            return bytes == null || bytes.length == 0 ? null : objectMapper.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private String toJson(Map<String, String> body) {
        try {
            return objectMapper.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String clip(String text) {
        String clean = text.replaceAll("[\\p{Cntrl}]", " ");
        return clean.length() <= 300 ? clean : clean.substring(0, 300) + "…";
    }
}
