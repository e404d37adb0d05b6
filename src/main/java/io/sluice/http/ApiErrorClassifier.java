package io.sluice.http;

/**
 * A provider's reading of a failed answer. The default classification (429, 408 and 5xx retryable; 401/403 and other
 * 4xx rejected) applies when this returns null.
 */
@FunctionalInterface
public interface ApiErrorClassifier {

    RuntimeException classify(ApiRequest request, ApiResponse response);
}
