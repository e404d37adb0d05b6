package io.sluice.crm.odoo;

import io.sluice.crm.CrmRejectedException;

/**
 * Odoo no longer has a record Sluice remembered (deleted by hand, merged): its {@code MissingError}. The connector
 * forgets the id, finds or creates the record again by its natural key and writes once more.
 */
final class OdooMissingRecordException extends CrmRejectedException {

    OdooMissingRecordException(String message) {
        super(message);
    }
}
