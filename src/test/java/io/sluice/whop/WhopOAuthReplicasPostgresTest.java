package io.sluice.whop;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.sluice.SluiceApplication;
import io.sluice.security.TokenCipher;
import io.sluice.store.WhopConnectionStore;
import io.sluice.support.SharedPostgres;
import io.sluice.support.TestFork;
import io.sluice.whop.oauth.WhopOAuthTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.exactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas on one PostgreSQL need the Whop access token at the same moment, just as it expires. Whop rotates the
 * refresh token on every use and refuses a spent one, so only one of them may refresh: the other waits and uses the
 * tokens it stored. Refreshing in both would spend the refresh token twice and lose the connection.
 */
@EnabledIfEnvironmentVariable(named = "SLUICE_TEST_POSTGRES_URL", matches = ".+")
class WhopOAuthReplicasPostgresTest {

    private static final String SCHEMA = TestFork.schema("sluice_oauth_replicas");
    private static final String REFRESH = "whop-refresh-token";
    private static final String ROTATION = "refresh token rotation";

    private final WireMockServer whop = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    private final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeEach
    void whopRotatesRefreshTokens() throws Exception {
        whop.start();
        // a spent or unknown refresh token is refused, as Whop does
        whop.stubFor(post(urlPathEqualTo("/oauth/token")).atPriority(10)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"refresh token is invalid\"}")));
        // each refresh token is accepted once (the scenario's state is the one Whop would accept next); slow enough
        // that both replicas ask while the first refresh is under way
        whop.stubFor(post(urlPathEqualTo("/oauth/token")).atPriority(1).inScenario(ROTATION).whenScenarioStateIs(STARTED)
                .withRequestBody(containing("refresh_token=rt_1")).willSetStateTo("rt_2 valid")
                .willReturn(okJson("{\"access_token\":\"at_2\",\"refresh_token\":\"rt_2\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
                        .withFixedDelay(800)));
        whop.stubFor(post(urlPathEqualTo("/oauth/token")).atPriority(1).inScenario(ROTATION).whenScenarioStateIs("rt_2 valid")
                .withRequestBody(containing("refresh_token=rt_2")).willSetStateTo("rt_3 valid")
                .willReturn(okJson("{\"access_token\":\"at_3\",\"refresh_token\":\"rt_3\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        SharedPostgres.dropSchema(SCHEMA);
    }

    @AfterEach
    void stop() {
        replicas.forEach(ConfigurableApplicationContext::close);
        whop.stop();
    }

    @Test
    void onlyOneReplicaRefreshesAndBothUseItsTokens() throws Exception {
        ConfigurableApplicationContext first = replica("a");
        ConfigurableApplicationContext second = replica("b");
        TokenCipher cipher = first.getBean(TokenCipher.class);
        first.getBean(WhopConnectionStore.class).connect(cipher.encrypt("at_1", "whop-access-token"), cipher.encrypt("rt_1", REFRESH),
                Instant.now().minusSeconds(5), "read");

        CountDownLatch go = new CountDownLatch(1);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        List<Future<String>> tokens = new ArrayList<>();
        try {
            for (ConfigurableApplicationContext replica : List.of(first, second, first, second)) {
                WhopOAuthTokens oauth = replica.getBean(WhopOAuthTokens.class);
                tokens.add(callers.submit(() -> {
                    go.await();
                    return oauth.accessToken();
                }));
            }
            go.countDown();
            for (Future<String> token : tokens) {
                assertThat(token.get()).isEqualTo("at_2");
            }
        } finally {
            callers.shutdownNow();
        }

        whop.verify(exactly(1), postRequestedFor(urlPathEqualTo("/oauth/token")));
        byte[] stored = second.getBean(WhopConnectionStore.class).find().orElseThrow().refreshToken();
        assertThat(second.getBean(TokenCipher.class).decrypt(stored, REFRESH)).as("the rotated refresh token is kept").isEqualTo("rt_2");
        assertThat(second.getBean(WhopConnectionStore.class).find().orElseThrow().lastError()).isNull();
    }

    private ConfigurableApplicationContext replica(String name) {
        List<String> settings = new ArrayList<>(List.of("server.port=0", "sluice.data-dir=" + dir.resolve(name),
                "sluice.admin.token=oauth-replicas-token-0123456789", "sluice.routes.reload=false",
                "sluice.whop.poll.enabled=false", "sluice.whop.api-key=", "sluice.ai.enrich-on=", "spring.jmx.unique-names=true",
                "sluice.whop.oauth.client-id=app_R3plicas01", "sluice.whop.oauth.base-url=" + whop.baseUrl() + "/oauth",
                "sluice.whop.oauth.redirect-uri=https://sluice.example.com/auth/whop/callback"));
        settings.addAll(SharedPostgres.replicaSettings(SCHEMA));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SluiceApplication.class)
                .run(settings.stream().map(s -> "--" + s).toArray(String[]::new));
        replicas.add(context);
        return context;
    }
}
