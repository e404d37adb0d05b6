package io.sluice.crm;

/**
 * The CRM no longer has a record Sluice remembered the id of (deleted or merged there): Twenty's foreign-key
 * violation, Odoo's {@code MissingError}, HubSpot's 404. A connector catches it, forgets the id, finds or creates
 * the record again by its natural key (email, membership) and writes once more; only if that fails too does the
 * event become a dead letter, as a refusal.
 */
public class CrmRecordGoneException extends CrmRejectedException {

    public CrmRecordGoneException(String message) {
        super(message);
    }
}
