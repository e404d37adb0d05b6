package io.sluice.support;

/** Fixed keys for tests: values with no meaning outside them, never secrets. */
public final class TestKeys {

    /** The key of stored credentials, for the tests on a shared database (base64 of 32 bytes). */
    public static final String ENCRYPTION_KEY = "c2x1aWNlLXRlc3Qta2V5LW5vdC1hLXNlY3JldC0wMDE=";

    private TestKeys() {
    }
}
