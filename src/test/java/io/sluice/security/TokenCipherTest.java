package io.sluice.security;

import io.sluice.config.SluiceProperties;
import io.sluice.support.TestKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCipherTest {

    private static final String H2 = "jdbc:h2:file:./data/sluice";
    private static final String POSTGRES = "jdbc:postgresql://db.internal:5432/sluice?password=hunter2";

    @TempDir
    Path dataDir;

    @Test
    void aSharedDatabaseWithoutAKeyStopsStartUpNamingTheSettingButNotTheUrl() {
        assertThatThrownBy(() -> new TokenCipher(properties(null), POSTGRES))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SLUICE_ENCRYPTION_KEY").hasMessageContaining("shared database")
                .message().doesNotContain("hunter2").doesNotContain("db.internal");
        assertThat(dataDir.resolve("encryption-key")).doesNotExist();
    }

    @Test
    void replicasGivenTheSameKeyReadEachOthersTokens() {
        TokenCipher first = new TokenCipher(properties(TestKeys.ENCRYPTION_KEY), POSTGRES);
        TokenCipher second = new TokenCipher(properties(TestKeys.ENCRYPTION_KEY), POSTGRES);

        assertThat(second.decrypt(first.encrypt("refresh-token-value", "whop-refresh-token"), "whop-refresh-token"))
                .isEqualTo("refresh-token-value");
    }

    @Test
    void theEmbeddedDatabaseGetsAGeneratedKeyKeptInTheDataDirectory() throws Exception {
        TokenCipher first = new TokenCipher(properties(null), H2);
        byte[] sealed = first.encrypt("access-token-value", "whop-access-token");

        assertThat(Files.readString(dataDir.resolve("encryption-key")).trim()).hasSize(44);
        assertThat(new TokenCipher(properties(""), H2).decrypt(sealed, "whop-access-token")).isEqualTo("access-token-value");
    }

    private SluiceProperties properties(String key) {
        return new SluiceProperties(dataDir, SluiceProperties.Transport.jdbc, key);
    }
}
