package io.sluice.whop;

/** Whop answered 200 with a body that is not a list page; the sync records it as a dead letter and moves on. */
public class MalformedWhopPageException extends RuntimeException {

    public MalformedWhopPageException(String message) {
        super(message);
    }
}
