package io.sluice.webhook;

import io.sluice.metrics.SluiceMetrics;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Locale;

/**
 * Answers 415 for webhook bodies sent as a form: the servlet stack would parse them as form fields before the route
 * sees the bytes, so the signature could not be checked. Only Dropbox Sign posts multipart forms (its event is the
 * field {@code json}); every other webhook is JSON, whatever else its Content-Type says.
 */
public class WebhookContentTypeFilter extends OncePerRequestFilter {

    private static final String MULTIPART_PATH = "/webhooks/esign/dropboxsign";

    private final SluiceMetrics metrics;

    public WebhookContentTypeFilter(SluiceMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT).trim();
        boolean form = type.startsWith("application/x-www-form-urlencoded");
        boolean multipart = type.startsWith("multipart/") && !request.getRequestURI().equals(MULTIPART_PATH);
        if (!form && !multipart) {
            chain.doFilter(request, response);
            return;
        }
        metrics.webhookRequest(WebhookSources.of(request.getRequestURI()), "unsupported_media_type");
        response.setStatus(415);
        response.setContentType("application/json");
        response.getWriter().write("{\"error\":\"Content-Type " + (form ? "application/x-www-form-urlencoded" : "multipart")
                + " is not accepted here; send the body as application/json\"}");
    }
}
