package io.sluice.whop;

import io.sluice.support.OnPostgres;
import io.sluice.support.TestFork;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The sync contract on PostgreSQL, in a schema of its own: Spring keeps test contexts alive, and another context's
 * inbox poller on the same tables would process this one's events (and the other way round).
 */
@OnPostgres
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class WhopSyncPostgresTest extends WhopSyncContract {

    @DynamicPropertySource
    static void ownSchema(DynamicPropertyRegistry registry) {
        String url = System.getenv("SLUICE_TEST_POSTGRES_URL");
        if (url != null) {
            registry.add("spring.datasource.hikari.schema", () -> TestFork.schema("whop_sync"));
            registry.add("spring.flyway.schemas", () -> TestFork.schema("whop_sync"));
        }
    }
}
