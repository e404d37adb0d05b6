package io.sluice.whop;

/** Whop cannot be called: no API key, or the OAuth connection is missing or was revoked. */
public class WhopNotConnectedException extends RuntimeException {

    public WhopNotConnectedException(String message) {
        super(message);
    }
}
