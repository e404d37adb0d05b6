package io.sluice.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Secrets Sluice generates for itself on the embedded default (admin token, a local webhook secret),
 * kept in the data directory with owner-only permissions. The log names the file, never the value.
 */
public final class GeneratedSecrets {

    private static final Logger log = LoggerFactory.getLogger(GeneratedSecrets.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private GeneratedSecrets() {
    }

    /** Returns the secret stored in {@code file}, generating it with {@code generator} on first use. */
    public static String readOrCreate(Path file, Supplier<String> generator, String purpose) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            String secret = generator.get();
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                return Files.readString(file, StandardCharsets.UTF_8).trim();
            }
            Files.writeString(file, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            log.warn("Generated {} and stored it in {} (owner-only); set it explicitly in production", purpose, file.toAbsolutePath());
            return secret;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create " + purpose + " file " + file.toAbsolutePath(), e);
        }
    }

    /** {@code bytes} random bytes as lower-case hex. */
    public static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
