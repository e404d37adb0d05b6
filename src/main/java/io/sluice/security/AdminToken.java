package io.sluice.security;

import io.sluice.config.GeneratedSecrets;
import io.sluice.config.SluiceProperties;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin credential: {@code SLUICE_ADMIN_TOKEN}, or a random token generated at first start into
 * {@code <data-dir>/admin-token} (owner-only). Compared in constant time; never logged.
 */
@Component
public class AdminToken {

    private final byte[] token;

    public AdminToken(SluiceProperties properties, AdminProperties admin) {
        String configured = admin.token();
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
