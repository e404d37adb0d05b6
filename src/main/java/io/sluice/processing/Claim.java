package io.sluice.processing;

/** An event taken from the inbox, and whether it goes to the batch path (pulled records, a CRM with batch writes). */
public record Claim(String id, boolean batched) {
}
