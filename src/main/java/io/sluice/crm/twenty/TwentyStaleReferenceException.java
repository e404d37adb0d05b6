package io.sluice.crm.twenty;

import io.sluice.crm.CrmRejectedException;

/**
 * Twenty refused a write because a record it points at is gone: a person or opportunity deleted in Twenty after
 * Sluice remembered its id (a foreign-key violation). The connector forgets the id, finds the record again by its
 * natural key and writes once more; only if that fails too does the event become a dead letter.
 */
final class TwentyStaleReferenceException extends CrmRejectedException {

    TwentyStaleReferenceException(String message) {
        super(message);
    }
}
