package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * The name this process claims inbox events under ({@code sluice.inbox.instance-id}). Unset, it is the host name and
 * the server port: a process started again on the same host and port is the same claimer and takes its own claims
 * back at once, while two processes side by side (on one host they differ by port) never share a name. When the
 * port is chosen at start ({@code server.port=0}) a random suffix stands in for it.
 */
@Component
public class ClaimOwner {

    private final String name;

    public ClaimOwner(InboxProperties inbox, Environment environment) {
        this.name = inbox.instanceId() == null || inbox.instanceId().isBlank() ? hostName() + ":" + port(environment) : inbox.instanceId();
    }

    public String name() {
        return name;
    }

    private static String port(Environment environment) {
        int port = environment.getProperty("server.port", Integer.class, 8080);
        return port > 0 ? Integer.toString(port) : UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hostName() {
        String fromEnvironment = System.getenv("HOSTNAME"); // a Kubernetes pod's name
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return cut(fromEnvironment);
        }
        try {
            return cut(InetAddress.getLocalHost().getHostName());
        } catch (UnknownHostException e) {
            return "sluice-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }

    private static String cut(String host) {
        return host.length() <= 120 ? host : host.substring(0, 120);
    }
}
