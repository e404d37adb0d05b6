package io.sluice.whop;

import io.sluice.config.WhopProperties;
import io.sluice.http.ProviderLimits;
import io.sluice.http.RequestBudget;
import io.sluice.http.RetryAfter;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;

/**
 * The budget of the Whop pulls' calls ({@code whop-api}): at most {@code sluice.whop.api.max-requests-per-second} in
 * any second, spent by every replica together on a shared PostgreSQL ({@link ProviderLimits}), whichever of them pulls
 * (the leader on its schedule, any replica a run an operator started). Whop's 429 holds every replica's calls for what
 * it asked ({@code Retry-After}, at most {@code sluice.whop.api.max-retry-after}). The {@code whop-sync} route's HTTP
 * endpoint takes it as its {@code httpClientConfigurer}, so that every attempt, the route's redeliveries included,
 * asks for a permit; a call waits for its permit (and for a hold to end) rather than fail.
 */
@Component("whopPullBudget")
public class WhopPullBudget implements HttpClientConfigurer {

    /** How long a call waits for a permit before it fails as an I/O error (retried by the route, then the run waits). */
    private static final Duration PERMIT_WAIT = Duration.ofSeconds(30);
    /** Holds a call sits out before it fails: a replica that meets another's hold waits for its end, once or twice. */
    private static final int HOLDS_WAITED = 3;

    private final RequestBudget budget;
    private final Duration maxHold;
    private final Clock clock;

    public WhopPullBudget(ProviderLimits limits, WhopProperties whop, Clock clock) {
        this.budget = limits.limiter("whop", "api", whop.api().maxRequestsPerSecond(), Duration.ofSeconds(1), PERMIT_WAIT);
        this.maxHold = whop.api().maxRetryAfter();
        this.clock = clock;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst("sluice-whop-budget", this::execute);
    }

    private ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        RequestBudget.Permit permit = permit();
        try {
            ClassicHttpResponse response = chain.proceed(request, scope);
            if (response.getCode() == 429) {
                Duration asked = RetryAfter.parse(value(response.getFirstHeader("retry-after-ms")),
                        value(response.getFirstHeader("Retry-After")), clock.instant());
                Duration hold = asked != null ? asked : budget.window(); // no wait said: one window
                budget.holdFor(hold.compareTo(maxHold) > 0 ? maxHold : hold);
            }
            return response;
        } finally {
            budget.sent(permit); // answered, or never sent: either way its slot counts from now
        }
    }

    private RequestBudget.Permit permit() throws IOException {
        for (int held = 0; ; held++) {
            try {
                return budget.acquire();
            } catch (RequestBudget.PermitUnavailableException e) {
                if (!e.held() || held >= HOLDS_WAITED || e.availableIn().compareTo(maxHold) > 0) {
                    throw new IOException("Whop call not sent: " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(e.availableIn().toMillis() + 1);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while Whop's calls are held");
                }
            }
        }
    }

    private static String value(Header header) {
        return header == null ? null : header.getValue();
    }
}
