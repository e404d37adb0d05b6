package io.sluice.crm;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Name-based UUIDs, version 5 (RFC 9562 §5.5: SHA-1 of namespace and name). The same Whop key always gives the
 * same CRM id, which makes any object upsertable by id.
 */
public final class Uuid5 {

    /** Sluice's namespace for CRM ids; changing it would orphan every record written before. */
    public static final UUID SLUICE_NAMESPACE = UUID.fromString("9b6c3f1e-5a0d-5c8e-a7f2-53c1d0e4b8a1");

    private Uuid5() {
    }

    public static UUID of(UUID namespace, String name) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits())
                    .putLong(namespace.getLeastSignificantBits()).array());
            byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
            hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
            hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
            ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
            return new UUID(bytes.getLong(), bytes.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id of a Sluice object of {@code type} (person, opportunity, note ...) keyed by {@code key}. */
    public static String forObject(String type, String key) {
        return of(SLUICE_NAMESPACE, type + ":" + key).toString();
    }
}
