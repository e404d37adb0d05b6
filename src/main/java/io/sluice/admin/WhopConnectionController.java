package io.sluice.admin;

import io.sluice.whop.oauth.WhopOAuthClient;
import io.sluice.whop.oauth.WhopOAuthTokens;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

import java.net.URI;
import java.util.Map;

/**
 * Connecting Sluice to Whop through OAuth: {@code GET /auth/whop} (admin credentials) sends the browser to Whop's
 * consent page; Whop redirects back to {@code /auth/whop/callback}, which only a state this Sluice issued can
 * complete. {@code DELETE /api/whop/connection} disconnects.
 */
@RestController
class WhopConnectionController {

    private final WhopOAuthTokens oauth;

    WhopConnectionController(WhopOAuthTokens oauth) {
        this.oauth = oauth;
    }

    @GetMapping("/auth/whop")
    ResponseEntity<Void> authorize() {
        return ResponseEntity.status(HttpStatus.FOUND).location(URI.create(oauth.authorizationUrl())).build();
    }

    @GetMapping(value = "/auth/whop/callback", produces = MediaType.TEXT_HTML_VALUE)
    ResponseEntity<String> callback(@RequestParam(required = false) String code, @RequestParam(required = false) String state,
                                    @RequestParam(required = false) String error,
                                    @RequestParam(name = "error_description", required = false) String errorDescription) {
        if (error != null) {
            return page(HttpStatus.BAD_REQUEST, "Whop did not connect", "Whop answered: " + error
                    + (errorDescription == null ? "" : " (" + errorDescription + ")"));
        }
        if (code == null || state == null) {
            return page(HttpStatus.BAD_REQUEST, "Whop did not connect", "The callback lacks 'code' or 'state'.");
        }
        try {
            oauth.complete(code, state);
        } catch (IllegalArgumentException e) {
            return page(HttpStatus.BAD_REQUEST, "Whop did not connect", e.getMessage());
        } catch (WhopOAuthClient.TokenRequestRejectedException e) {
            return page(HttpStatus.BAD_GATEWAY, "Whop did not connect", e.getMessage());
        }
        return page(HttpStatus.OK, "Connected to Whop", "Sluice can now pull from Whop. GET /api/status shows the connection.");
    }

    @GetMapping("/api/whop/connection")
    Map<String, Object> status() {
        return oauth.status();
    }

    @DeleteMapping("/api/whop/connection")
    Map<String, Object> disconnect() {
        return Map.of("disconnected", oauth.disconnect());
    }

    private static ResponseEntity<String> page(HttpStatus status, String title, String message) {
        String html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + HtmlUtils.htmlEscape(title)
                + "</title></head><body><h1>" + HtmlUtils.htmlEscape(title) + "</h1><p>" + HtmlUtils.htmlEscape(message)
                + "</p></body></html>";
        return ResponseEntity.status(status).header(HttpHeaders.CACHE_CONTROL, "no-store").contentType(MediaType.TEXT_HTML)
                .body(html);
    }
}
