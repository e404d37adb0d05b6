package io.sluice.webhook;

import io.sluice.metrics.SluiceMetrics;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Answers 503 with {@code Retry-After} while Sluice is starting or stopping, or replacing its routes on a reload: the
 * HTTP port opens before the webhook routes are running and stays open while they stop or are made again, and a
 * sender must then be told to come back, not get a 404.
 */
public class WebhookAvailabilityFilter extends OncePerRequestFilter {

    private final ApplicationAvailability availability;
    private final SluiceMetrics metrics;
    private final IngressRestarts restarts;
    private final String retryAfter;

    public WebhookAvailabilityFilter(ApplicationAvailability availability, IngressRestarts restarts, SluiceMetrics metrics,
                                     WebhookProperties webhook) {
        this.availability = availability;
        this.restarts = restarts;
        this.metrics = metrics;
        this.retryAfter = Integer.toString(webhook.retryAfterSeconds());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean ready = availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
        if (ready && restarts.enter()) {
            boolean async = false;
            try {
                chain.doFilter(request, response);
                async = request.isAsyncStarted();
            } finally {
                if (async) {
                    // the route handles the request on another thread (platform-http): it is in flight until it completes
                    request.getAsyncContext().addListener(new LeaveOnCompletion(restarts));
                } else {
                    restarts.leave();
                }
            }
            return;
        }
        boolean reloading = ready; // ready, yet refused: a reload is replacing the ingress routes
        metrics.webhookRequest(WebhookSources.of(request.getRequestURI()), reloading ? "reloading" : "unavailable");
        response.setStatus(503);
        response.setHeader("Retry-After", reloading ? "1" : retryAfter);
        response.setContentType("application/json");
        response.getWriter().write(reloading ? "{\"error\":\"Sluice is reloading its routes; the event was not accepted, retry later\"}"
                : "{\"error\":\"Sluice is starting or stopping; the event was not accepted, retry later\"}");
    }

    /** Leaves the ingress once, when an asynchronous request completes, fails or times out. */
    private static final class LeaveOnCompletion implements AsyncListener {

        private final IngressRestarts restarts;
        private final AtomicBoolean left = new AtomicBoolean();

        LeaveOnCompletion(IngressRestarts restarts) {
            this.restarts = restarts;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            leave();
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            leave();
        }

        @Override
        public void onError(AsyncEvent event) {
            leave();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            // a new cycle of the same request: it stays in flight, and this listener must be added again to hear its end
            event.getAsyncContext().addListener(this);
        }

        private void leave() {
            if (left.compareAndSet(false, true)) {
                restarts.leave();
            }
        }
    }
}
