package io.sluice.crm;

import org.springframework.stereotype.Component;

import java.util.function.Supplier;

/**
 * Runs one write to a remote CRM under its own leases: every {@link CrmWriteVersions#lock} inside takes a lease on
 * that object's row for this write, and all of them are given back when it ends, however it ends. The leases order
 * concurrent writes of one object (an older change never overwrites a newer one) without a database transaction
 * held open across the CRM's answers; each statement commits at once.
 */
@Component
public class CrmWriteLeases {

    private final CrmWriteVersions versions;

    public CrmWriteLeases(CrmWriteVersions versions) {
        this.versions = versions;
    }

    public <T> T run(Supplier<T> write) {
        CrmWriteVersions.Holder holder = versions.begin();
        try {
            return write.get();
        } finally {
            versions.end(holder);
        }
    }
}
