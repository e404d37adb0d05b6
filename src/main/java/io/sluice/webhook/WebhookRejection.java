package io.sluice.webhook;

/**
 * A webhook that Sluice refuses, with the HTTP status to answer, the outcome tag counted in metrics
 * and a message that tells the sender what was wrong (never a secret or an expected signature).
 */
public class WebhookRejection extends RuntimeException {

    private final int status;
    private final String outcome;

    public WebhookRejection(int status, String outcome, String message) {
        super(message, null, false, false);
        this.status = status;
        this.outcome = outcome;
    }

    public int status() {
        return status;
    }

    public String outcome() {
        return outcome;
    }

    public static WebhookRejection unauthorized(String outcome, String message) {
        return new WebhookRejection(401, outcome, message);
    }
}
