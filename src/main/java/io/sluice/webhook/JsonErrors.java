package io.sluice.webhook;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/** Says where and why a body is not JSON, in words a sender can act on; some failures (a limit) have no location. */
public final class JsonErrors {

    private JsonErrors() {
    }

    public static String describe(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            return "it exceeds a parser limit (" + e.getOriginalMessage() + ")";
        }
        JsonLocation at = e.getLocation();
        String message = e.getOriginalMessage();
        // Jackson quotes the offending input in some messages: keep them short
        if (message != null && message.length() > 200) {
            message = message.substring(0, 200) + "…";
        }
        return at == null ? message : message + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }
}
