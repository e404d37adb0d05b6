package io.sluice.config;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The values Camel's {{sluice.*}} placeholders get: the bound records, in the form Camel's options take. */
class BoundSettingsSourceTest {

    private static final Binder BINDER = new Binder(new MapConfigurationPropertySource(Map.of(
            "sluice.inbox.poll-interval", "1s",
            "sluice.whop.api.retry-delay", "PT2S",
            "sluice.whop.sync.product-ids", "prod_a, prod_b")));

    private final BoundSettingsSource source = new BoundSettingsSource(new StaticListableBeanFactory(Map.of(
            "inbox", BINDER.bindOrCreate("sluice.inbox", InboxProperties.class),
            "whop", BINDER.bindOrCreate("sluice.whop", WhopProperties.class),
            "sluice", BINDER.bindOrCreate("sluice", SluiceProperties.class))));

    @Test
    void durationsAreMillisecondsAndUnsetValuesAreAbsent() {
        assertThat(source.getProperty("sluice.inbox.poll-interval")).isEqualTo("1000");
        assertThat(source.getProperty("sluice.inbox.claim-timeout")).isEqualTo("600000");
        assertThat(source.getProperty("sluice.whop.api.retry-delay")).isEqualTo("2000");
        assertThat(source.getProperty("sluice.whop.poll.check-interval")).isEqualTo("30000");
        assertThat(source.getProperty("sluice.whop.poll.enabled")).isNull();
        assertThat(source.getProperty("sluice.encryption-key")).isNull();
    }

    @Test
    void everyKindOfValueIsRenderedAsSpringBindsIt() {
        assertThat(source.getProperty("sluice.inbox.consumers")).isEqualTo("4");
        assertThat(source.getProperty("sluice.inbox.auto-start")).isEqualTo("true");
        assertThat(source.getProperty("sluice.transport")).isEqualTo("jdbc");
        assertThat(Path.of(source.getProperty("sluice.data-dir")).toAbsolutePath().normalize())
                .isEqualTo(Path.of("./data").toAbsolutePath().normalize());
        assertThat(source.getProperty("sluice.whop.api-base-url")).isEqualTo("https://api.whop.com/api/v1");
        assertThat(source.getProperty("sluice.whop.api.max-requests-per-second")).isEqualTo("5");
        assertThat(source.getProperty("sluice.whop.sync.product-ids")).isEqualTo("prod_a,prod_b");
    }

    @Test
    void keysOutsideSluiceAreLeftToTheOtherSources() {
        assertThat(source.getProperty("camel.main.name")).isNull();
        assertThat(source.getProperty("sluicebox.x")).isNull();
        assertThat(source.values()).allSatisfy((key, value) -> assertThat(key).startsWith("sluice."));
    }
}
