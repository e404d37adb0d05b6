-- A change of a remote CRM object is written under a short lease on its row instead of a row lock held open through
-- the CRM's answers: locked_by names the write that holds it, locked_until is when a lease of a write that died
-- lapses. No database transaction stays open across a provider call or a rate-limit wait.
ALTER TABLE crm_write_version ADD COLUMN locked_by VARCHAR(80);
ALTER TABLE crm_write_version ADD COLUMN locked_until TIMESTAMP WITH TIME ZONE;
