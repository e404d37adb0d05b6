package io.sluice.mapping;

import io.sluice.config.SluiceProperties;
import io.sluice.routes.ConfigurationValidator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every shipped preset in mappings/ is valid for its provider, as start-up and --validate would check it. */
class MappingPresetsTest {

    static List<String> providers() {
        return SluiceProperties.AVAILABLE_PROVIDERS;
    }

    @ParameterizedTest
    @MethodSource("providers")
    void thePresetOfEveryAvailableProviderIsValid(String provider) {
        assertThat(Path.of("mappings", provider + ".yaml")).exists();
        assertThat(ConfigurationValidator.validateMapping(Path.of("mappings"), provider)).isEmpty();
    }
}
