package io.sluice.support;

import org.awaitility.Awaitility;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.time.Duration;

/**
 * Awaitility's defaults for every test JVM: a condition that already holds passes at once (Awaitility would first
 * sleep one poll interval), and one still pending is looked at every 25 ms rather than every 100 ms. With about two
 * awaits per test, the defaults alone cost the suite about a minute. A test that must wait first says so with
 * {@code pollDelay}.
 */
public class AwaitDefaults implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        Awaitility.setDefaultPollDelay(Duration.ZERO);
        Awaitility.setDefaultPollInterval(Duration.ofMillis(25));
    }
}
