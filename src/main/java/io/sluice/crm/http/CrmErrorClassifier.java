package io.sluice.crm.http;

import io.sluice.crm.CrmException;

/**
 * A provider's reading of a failed answer. The default classification (429 and 5xx retryable, 401/403 and other
 * 4xx rejected) applies when this returns null.
 */
@FunctionalInterface
public interface CrmErrorClassifier {

    CrmException classify(CrmRequest request, CrmResponse response);
}
