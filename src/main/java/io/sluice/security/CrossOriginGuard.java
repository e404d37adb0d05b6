package io.sluice.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;

/**
 * Refuses admin requests (the API, Hawtio, Jolokia) that a browser sends on behalf of another site: a page elsewhere
 * could otherwise reuse the browser's cached Basic credentials to replay dead letters or call Jolokia, and read the
 * answers (Jolokia echoes any {@code Origin}). A request from another origin ({@code Origin} not this server's, or
 * {@code Sec-Fetch-Site: cross-site}) that changes something, or whose answer a script would read, gets 403 before
 * its credentials are looked at; following a link here from elsewhere still works. Clients that are not browsers
 * (curl, scripts, Prometheus) send neither header and are unaffected; Hawtio, served from this origin, neither.
 */
final class CrossOriginGuard extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (drivesOrReads(request) && crossSite(request)) {
            response.setStatus(403);
            response.setContentType("application/json");
            response.getWriter().write("{\"error\":\"cross-origin request refused: the admin surface answers only pages of its own origin\"}");
            return;
        }
        chain.doFilter(request, response);
    }

    /**
     * A request that changes something, or whose answer a script would read: not a plain link followed to a page
     * (Whop's OAuth redirect back to Sluice is one, and must keep working).
     */
    private static boolean drivesOrReads(HttpServletRequest request) {
        String method = request.getMethod();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            return true;
        }
        String mode = request.getHeader("Sec-Fetch-Mode");
        return (mode != null && !mode.equalsIgnoreCase("navigate")) || request.getRequestURI().startsWith("/actuator/jolokia");
    }

    static boolean crossSite(HttpServletRequest request) {
        String fetchSite = request.getHeader("Sec-Fetch-Site");
        if (fetchSite != null && fetchSite.equalsIgnoreCase("cross-site")) {
            return true;
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return false;
        }
        if (origin.equals("null")) {
            return true; // a sandboxed frame or a file: page
        }
        try {
            URI uri = URI.create(origin.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return true;
            }
            return !(uri.getScheme().toLowerCase(Locale.ROOT).equals(request.getScheme().toLowerCase(Locale.ROOT))
                    && uri.getHost().equalsIgnoreCase(request.getServerName())
                    && port(uri) == request.getServerPort());
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
}
