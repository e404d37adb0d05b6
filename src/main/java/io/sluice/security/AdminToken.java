package io.sluice.security;

import io.sluice.config.GeneratedSecrets;
import io.sluice.config.SluiceProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin credential: {@code SLUICE_ADMIN_TOKEN}, or, on the embedded H2 only, a random token generated at first
 * start into {@code <data-dir>/admin-token} (owner-only): replicas on a shared database would each make their own, and
 * an admin call would be accepted by one of them only. Compared in constant time; never logged.
 */
@Component
public class AdminToken {

    private final byte[] token;

    public AdminToken(SluiceProperties properties, AdminProperties admin, @Value("${spring.datasource.url:}") String datasourceUrl) {
        String configured = admin.token();
        if ((configured == null || configured.isBlank()) && !datasourceUrl.startsWith("jdbc:h2:")) {
            // the URL itself is not named: it may carry a password
            throw new IllegalStateException("sluice.admin.token (SLUICE_ADMIN_TOKEN) must be set on a shared database "
                    + "(spring.datasource.url is not the embedded H2): every replica must accept the same token; give "
                    + "each the same value, for example from `openssl rand -hex 24`");
        }
        String value = configured != null && !configured.isBlank()
                ? configured.trim()
                : GeneratedSecrets.readOrCreate(properties.dataDir().resolve("admin-token"),
                () -> GeneratedSecrets.randomHex(24), "the admin token");
        this.token = value.getBytes(StandardCharsets.UTF_8);
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.UTF_8));
    }
}
