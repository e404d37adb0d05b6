package io.sluice.security;

import io.sluice.config.GeneratedSecrets;
import io.sluice.config.SluiceProperties;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * Encrypts stored credentials (OAuth tokens) with AES-256-GCM under {@code SLUICE_ENCRYPTION_KEY}. Each value gets
 * a fresh 96-bit nonce; the purpose is bound as associated data, so a value cannot be moved to another column.
 * Stored form: version byte, nonce, ciphertext with its 128-bit tag.
 * <p>
 * Unset, the key is generated into the data directory, which only works while one process owns the database: on a
 * shared database (anything but the embedded H2) every replica must read the tokens the others stored, so the key
 * must be given and start-up stops without it.
 */
@Component
public class TokenCipher {

    private static final byte VERSION = 1;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    public TokenCipher(SluiceProperties properties, @Value("${spring.datasource.url:}") String datasourceUrl) {
        String encoded = properties.encryptionKey();
        if (encoded == null || encoded.isBlank()) {
            if (!datasourceUrl.startsWith("jdbc:h2:")) {
                // the URL itself is not named: it may carry a password
                throw new IllegalStateException("sluice.encryption-key (SLUICE_ENCRYPTION_KEY) must be set on a shared "
                        + "database (spring.datasource.url is not the embedded H2): every replica needs the same key to "
                        + "read the OAuth tokens another stored; give each the same base64 of 32 bytes, for example "
                        + "from `openssl rand -base64 32`");
            }
            encoded = GeneratedSecrets.readOrCreate(properties.dataDir().resolve("encryption-key"), () -> {
                byte[] fresh = new byte[32];
                RANDOM.nextBytes(fresh);
                return Base64.getEncoder().encodeToString(fresh);
            }, "an encryption key for stored credentials");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sluice.encryption-key (SLUICE_ENCRYPTION_KEY) is not valid base64");
        }
        if (raw.length != 32) {
            throw new IllegalArgumentException("sluice.encryption-key (SLUICE_ENCRYPTION_KEY) must be base64 of 32 bytes, not "
                    + raw.length);
        }
        this.key = new SecretKeySpec(raw, "AES");
        Arrays.fill(raw, (byte) 0);
    }

    public byte[] encrypt(String plaintext, String purpose) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put(VERSION).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** Decrypts; fails with a clear message when the key changed or the value was tampered with. */
    public String decrypt(byte[] stored, String purpose) {
        if (stored == null || stored.length < 1 + NONCE_BYTES + TAG_BITS / 8 || stored[0] != VERSION) {
            throw new IllegalStateException("a stored " + purpose + " is not in the expected encrypted form");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, stored, 1, NONCE_BYTES));
            cipher.updateAAD(purpose.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(stored, 1 + NONCE_BYTES, stored.length - 1 - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("a stored " + purpose + " cannot be decrypted: SLUICE_ENCRYPTION_KEY changed "
                    + "or the value was altered; reconnect at /auth/whop");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }
}
