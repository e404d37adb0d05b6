package io.sluice.webhook;

/** A correctly signed webhook whose body Sluice cannot use (not JSON, no {@code type} or {@code data}): answered 400 and recorded as REJECTED. */
public class InvalidWebhookPayloadException extends WebhookRejection {

    private final String deliveryId;

    public InvalidWebhookPayloadException(String deliveryId, String message) {
        super(400, "invalid", message);
        this.deliveryId = deliveryId;
    }

    public String deliveryId() {
        return deliveryId;
    }
}
