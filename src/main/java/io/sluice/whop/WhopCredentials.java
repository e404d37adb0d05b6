package io.sluice.whop;

import io.sluice.config.WhopProperties;
import io.sluice.whop.oauth.WhopOAuthTokens;
import org.springframework.stereotype.Component;

/**
 * The bearer credential for Whop API calls: the company API key when {@code WHOP_API_KEY} is set, else the access
 * token of the OAuth connection (refreshed before it expires).
 */
@Component
public class WhopCredentials {

    private final WhopProperties whop;
    private final WhopOAuthTokens oauth;

    public WhopCredentials(WhopProperties whop, WhopOAuthTokens oauth) {
        this.whop = whop;
        this.oauth = oauth;
    }

    /** {@code api-key}, {@code oauth} (configured; maybe not yet connected) or {@code none}. */
    public String kind() {
        if (whop.apiKey() != null) {
            return "api-key";
        }
        return whop.oauth().clientId() != null ? "oauth" : "none";
    }

    public boolean configured() {
        return !"none".equals(kind());
    }

    /** The token to send as {@code Authorization: Bearer ...}; never logged. */
    public String bearerToken() {
        if (whop.apiKey() != null) {
            return whop.apiKey();
        }
        if (whop.oauth().clientId() == null) {
            throw new WhopNotConnectedException("no Whop credential: set WHOP_API_KEY and WHOP_COMPANY_ID, "
                    + "or WHOP_CLIENT_ID and connect at /auth/whop");
        }
        return oauth.accessToken();
    }
}
