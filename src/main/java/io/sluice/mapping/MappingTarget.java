package io.sluice.mapping;

/** What a mapping is written for: a CRM, by the provider name its file is named after and the fields it has. */
public interface MappingTarget {

    /** The provider, e.g. {@code twenty}: the mapping file is {@code mappings/<provider>.yaml}. */
    String provider();

    /** The fields a mapping may write, to validate a mapping file against. */
    CrmFieldSchema fieldSchema();
}
