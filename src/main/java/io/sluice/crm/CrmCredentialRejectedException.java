package io.sluice.crm;

/**
 * The CRM refused Sluice's credential (401/403, Odoo's {@code AccessDenied}, a refused token refresh): every write
 * fails alike until the operator fixes it, so a refusal of this kind always runs the CRM check again first.
 */
public class CrmCredentialRejectedException extends CrmRejectedException {

    public CrmCredentialRejectedException(String message) {
        super(message);
    }
}
