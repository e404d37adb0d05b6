package io.sluice.webhook;

/** What ingress did with a delivery: stored it (new) or recognised it (duplicate). */
public record IngressReceipt(String id, boolean duplicate, boolean ignored) {
}
