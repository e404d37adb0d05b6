package io.sluice.mapping;

/** An event the active mapping cannot turn into CRM fields (a required value is missing, a value has no map entry). Not retried. */
public class MappingException extends RuntimeException {

    public MappingException(String message) {
        super(message);
    }
}
