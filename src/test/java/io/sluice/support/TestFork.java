package io.sluice.support;

/**
 * Which of the test JVMs running side by side this is (surefire's fork number, passed as {@code sluice.test.fork}).
 * What JVMs would otherwise share, a PostgreSQL schema or a file under target/, carries it in its name.
 */
public final class TestFork {

    private TestFork() {
    }

    public static String id() {
        return System.getProperty("sluice.test.fork", "0");
    }

    /** A PostgreSQL schema of this JVM's own: another JVM's inbox poller on the same tables would take its events. */
    public static String schema(String name) {
        return name + "_f" + id();
    }
}
