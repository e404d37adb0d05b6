package io.sluice.support;

import io.sluice.event.EventStatus;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Webhook bodies for CRM connector tests, built from the documented Whop shapes (src/test/resources/whop/). */
public final class Crms {

    private Crms() {
    }

    /** A signed membership webhook, as Whop would send it; returns its id. */
    public static String sendMembership(int port, String id, int i, String status, boolean cancelAtPeriodEnd, String updatedAt) {
        var record = WhopApiStub.membership(i, status, cancelAtPeriodEnd, updatedAt);
        return send(port, id, "membership.activated", record.toString());
    }

    /** A signed payment webhook for membership {@code mem_t<membership>}. */
    public static String sendPayment(int port, String id, int i, int membership, String type, String substatus, String updatedAt) {
        var record = WhopApiStub.payment(i, membership, substatus, updatedAt);
        return send(port, id, type, record.toString());
    }

    private static String send(int port, String id, String type, String data) {
        String body = "{\"id\":\"" + id + "\",\"api_version\":\"v1\",\"timestamp\":\"2026-01-20T14:03:11.000Z\",\"type\":\"" + type
                + "\",\"company_id\":\"" + WhopApiStub.COMPANY + "\",\"data\":" + data + "}";
        int status = Webhooks.sendSigned(port, id, Instant.now().getEpochSecond(), body.getBytes(StandardCharsets.UTF_8)).statusCode();
        if (status != 202) {
            throw new IllegalStateException("webhook " + id + " answered " + status);
        }
        return id;
    }

    /** The statuses that end processing. */
    public static boolean isFinal(String status) {
        return status != null && !status.equals(EventStatus.RECEIVED.name()) && !status.equals(EventStatus.PROCESSING.name())
                && !status.equals(EventStatus.WAITING.name());
    }
}
