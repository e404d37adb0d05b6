package io.sluice.webhook;

import io.sluice.metrics.SluiceMetrics;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

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
            try {
                chain.doFilter(request, response);
            } finally {
                restarts.leave();
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
}
