package io.sluice.crm;

/** What a CRM write did: applied, or skipped because the CRM already holds a newer change of the subject. */
public enum CrmWriteResult {
    APPLIED,
    STALE
}
