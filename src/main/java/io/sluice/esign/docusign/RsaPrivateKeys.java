package io.sluice.esign.docusign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Reads an RSA private key from a PEM file: PKCS#8 ({@code BEGIN PRIVATE KEY}) or the PKCS#1 form DocuSign hands out
 * ({@code BEGIN RSA PRIVATE KEY}), which is wrapped into PKCS#8 for the JDK. Errors name the setting, never the key.
 */
final class RsaPrivateKeys {

    /** DER of the PKCS#8 AlgorithmIdentifier for rsaEncryption (OID 1.2.840.113549.1.1.1, NULL parameters). */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
            0x01, 0x01, 0x01, 0x05, 0x00};

    private RsaPrivateKeys() {
    }

    static PrivateKey read(Path file, String setting) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
        if (!pkcs1 && !pem.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalArgumentException(setting + ": " + file + " is not a PEM RSA private key "
                    + "(expected -----BEGIN RSA PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)");
        }
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? wrapPkcs1(der) : der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException(setting + ": " + file + " does not hold a readable RSA private key");
        }
    }

    /** PrivateKeyInfo ::= SEQUENCE { version INTEGER 0, algorithm AlgorithmIdentifier, privateKey OCTET STRING }. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = tlv(0x04, pkcs1);
        byte[] content = new byte[version.length + RSA_ALGORITHM.length + octets.length];
        System.arraycopy(version, 0, content, 0, version.length);
        System.arraycopy(RSA_ALGORITHM, 0, content, version.length, RSA_ALGORITHM.length);
        System.arraycopy(octets, 0, content, version.length + RSA_ALGORITHM.length, octets.length);
        return tlv(0x30, content);
    }

    private static byte[] tlv(int tag, byte[] value) {
        byte[] length = length(value.length);
        byte[] out = new byte[1 + length.length + value.length];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(value, 0, out, 1 + length.length, value.length);
        return out;
    }

    /** DER definite length: one byte below 128, else 0x80 + the number of bytes that follow. */
    private static byte[] length(int n) {
        if (n < 128) {
            return new byte[]{(byte) n};
        }
        int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
        byte[] out = new byte[1 + bytes];
        out[0] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) {
            out[bytes - i] = (byte) (n >>> (8 * i));
        }
        return out;
    }
}
