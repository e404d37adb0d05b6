package io.sluice.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.inbox.EventIntake;
import io.sluice.metrics.SluiceMetrics;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.processor.ThrottlerRejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Camel step: answers a webhook sender with the status and JSON body of the webhook contract (docs/operations.md), and counts the outcome. */
@Component("webhookResponder")
public class WebhookResponder {

    private static final Logger log = LoggerFactory.getLogger(WebhookResponder.class);

    private final ObjectMapper objectMapper;
    private final SluiceMetrics metrics;
    private final int retryAfterSeconds;

    public WebhookResponder(ObjectMapper objectMapper, SluiceMetrics metrics, WebhookProperties webhook) {
        this.objectMapper = objectMapper;
        this.metrics = metrics;
        this.retryAfterSeconds = webhook.retryAfterSeconds();
    }

    /** 202 for a newly stored event, 200 for a duplicate. */
    public void receipt(Exchange exchange) {
        IngressReceipt receipt = exchange.getMessage().getBody(IngressReceipt.class);
        String outcome = receipt.duplicate() ? "duplicate" : receipt.ignored() ? "ignored" : "accepted";
        respond(exchange, receipt.duplicate() ? 200 : 202, Map.of("id", receipt.id(),
                "status", receipt.duplicate() ? "duplicate" : "accepted"));
        metrics.webhookRequest(source(exchange), outcome);
    }

    /**
     * The answer to an e-sign callback: the status the provider counts as delivered, and the exact body it wants
     * (Dropbox Sign's {@code Hello API Event Received}) or the JSON receipt.
     */
    public void callbackReceipt(Exchange exchange) {
        IngressReceipt receipt = exchange.getMessage().getBody(IngressReceipt.class);
        IngressAnswer scheme = exchange.getProperty(IngressAnswer.PROPERTY, IngressAnswer.class);
        String outcome = receipt.duplicate() ? "duplicate" : receipt.ignored() ? "ignored" : "accepted";
        respond(exchange, scheme.successStatus(receipt.duplicate()), Map.of("id", receipt.id(),
                "status", receipt.duplicate() ? "duplicate" : "accepted"));
        if (scheme.acknowledgement() != null) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain");
            exchange.getMessage().setBody(scheme.acknowledgement());
        }
        metrics.webhookRequest(source(exchange), outcome);
    }

    /** Maps the exception that stopped the delivery to its answer. */
    public void rejected(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String id = exchange.getMessage().getHeader("webhook-id", String.class);
        Message message = exchange.getMessage();
        if (cause instanceof WebhookRejection rejection) {
            respond(exchange, rejection.status(), error(rejection.getMessage(), id));
            metrics.webhookRequest(source(exchange), rejection.outcome());
            log.info("Webhook {}from {} refused with {}: {}", id == null ? "" : id + " ", source(exchange), rejection.status(), rejection.getMessage());
        } else if (cause instanceof ThrottlerRejectedExecutionException) {
            message.setHeader("Retry-After", "1");
            respond(exchange, 429, error("ingress rate limit exceeded (sluice.webhook.max-rps); retry later", id));
            metrics.webhookRequest(source(exchange), "rate_limited");
        } else if (isDataIntegrityFailure(cause)) {
            // a value the parser let through does not fit its column: the body's fault, and retrying cannot help
            respond(exchange, 400, error("a value in the body does not fit what Sluice stores (too long or out of range)", id));
            metrics.webhookRequest(source(exchange), "invalid");
            log.warn("Webhook {}from {} refused with 400: a value does not fit its column", id == null ? "" : id + " ", source(exchange));
        } else if (isStorageFailure(cause)) {
            message.setHeader("Retry-After", Integer.toString(retryAfterSeconds));
            respond(exchange, 503, error("cannot store the event right now; it was not accepted, retry later", id));
            metrics.webhookRequest(source(exchange), "unavailable");
            log.error("Webhook {}from {} not stored (503): {}", id == null ? "" : id + " ", source(exchange), cause.getMessage());
        } else {
            respond(exchange, 500, error("internal error; the event was not accepted", id));
            metrics.webhookRequest(source(exchange), "error");
            log.error("Webhook {}from {} failed", id == null ? "" : id + " ", source(exchange), cause);
        }
    }

    /** A value too long or out of range for its column (SQLState class 22, "data exception"): the body's fault. */
    private static boolean isDataIntegrityFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStorageFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof DataAccessException || t instanceof SQLException || t instanceof EventIntake.IntakeUnavailableException) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Object> error(String message, String id) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (id != null) {
            body.put("id", id);
        }
        return body;
    }

    private void respond(Exchange exchange, int status, Map<String, Object> body) {
        Message message = exchange.getMessage();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            message.setBody(objectMapper.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String source(Exchange exchange) {
        String source = exchange.getProperty("SluiceSource", String.class);
        return source == null ? "whop" : source;
    }
}
