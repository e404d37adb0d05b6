package io.sluice.mapping;

import io.sluice.config.CrmProperties;
import io.sluice.routes.ConfigurationValidator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every shipped preset in mappings/ is valid for its provider, as start-up and --validate would check it. */
class MappingPresetsTest {

    static List<String> providers() {
        return CrmProperties.AVAILABLE_PROVIDERS;
    }

    /** The lead-score block shipped commented out in the remote presets is valid once uncommented. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"twenty", "hubspot", "zoho", "odoo"})
    void theLeadScoreBlockOfEachRemotePresetIsValidUncommented(String provider, @org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        String text = java.nio.file.Files.readString(Path.of("mappings", provider + ".yaml"));
        int marker = text.indexOf("# Lead scores");
        assertThat(marker).isPositive();
        String block = text.substring(text.indexOf('\n', marker) + 1).replaceAll("(?m)^  # ", "  ");
        int lineStart = text.lastIndexOf('\n', marker) + 1;
        java.nio.file.Files.writeString(dir.resolve(provider + ".yaml"), text.substring(0, lineStart) + block);
        assertThat(ConfigurationValidator.validateMapping(dir, provider)).isEmpty();
        assertThat(java.nio.file.Files.readString(dir.resolve(provider + ".yaml"))).contains("types: [ai.lead_scored]");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void thePresetOfEveryAvailableProviderIsValid(String provider) {
        assertThat(Path.of("mappings", provider + ".yaml")).exists();
        assertThat(ConfigurationValidator.validateMapping(Path.of("mappings"), provider)).isEmpty();
    }
}
