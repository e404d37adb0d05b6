package io.sluice.esign;

/** A document downloaded from the provider. */
public record ProviderDocument(byte[] content, String contentType) {
}
