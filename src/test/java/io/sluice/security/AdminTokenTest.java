package io.sluice.security;

import io.sluice.config.SluiceProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminTokenTest {

    private static final String H2 = "jdbc:h2:file:./data/sluice";
    private static final String POSTGRES = "jdbc:postgresql://db.internal:5432/sluice?password=hunter2";

    @TempDir
    Path dataDir;

    @Test
    void aSharedDatabaseWithoutATokenStopsStartUpNamingTheSettingButNotTheUrl() {
        assertThatThrownBy(() -> new AdminToken(properties(), new AdminProperties(null), POSTGRES))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SLUICE_ADMIN_TOKEN").hasMessageContaining("shared database")
                .message().doesNotContain("hunter2").doesNotContain("db.internal");
        assertThat(dataDir.resolve("admin-token")).doesNotExist();
    }

    @Test
    void replicasGivenTheSameTokenAcceptTheSameCalls() {
        AdminToken first = new AdminToken(properties(), new AdminProperties("shared-admin-token"), POSTGRES);
        AdminToken second = new AdminToken(properties(), new AdminProperties("shared-admin-token"), POSTGRES);

        assertThat(first.matches("shared-admin-token")).isTrue();
        assertThat(second.matches("shared-admin-token")).isTrue();
        assertThat(second.matches("another-token")).isFalse();
    }

    @Test
    void theEmbeddedDatabaseGetsAGeneratedTokenKeptInTheDataDirectory() throws Exception {
        AdminToken first = new AdminToken(properties(), new AdminProperties(" "), H2);

        String generated = Files.readString(dataDir.resolve("admin-token")).trim();
        assertThat(first.matches(generated)).isTrue();
        assertThat(new AdminToken(properties(), new AdminProperties(null), H2).matches(generated)).isTrue();
    }

    private SluiceProperties properties() {
        return new SluiceProperties(dataDir, SluiceProperties.Transport.jdbc, null);
    }
}
