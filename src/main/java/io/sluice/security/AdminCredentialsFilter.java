package io.sluice.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Accepts the admin token as {@code Authorization: Bearer <token>} or as HTTP Basic with user {@code admin} and
 * the token as password (for browsers: Hawtio). Anything else leaves the request anonymous.
 */
class AdminCredentialsFilter extends OncePerRequestFilter {

    static final String ADMIN_USER = "admin";

    private final AdminToken adminToken;

    AdminCredentialsFilter(AdminToken adminToken) {
        this.adminToken = adminToken;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && authenticates(header.trim())) {
            var authentication = new UsernamePasswordAuthenticationToken(ADMIN_USER, null,
                    AuthorityUtils.createAuthorityList("ROLE_ADMIN"));
            SecurityContextHolder.getContext().setAuthentication(authentication);
        }
        chain.doFilter(request, response);
    }

    private boolean authenticates(String header) {
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return adminToken.matches(header.substring(7).trim());
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return false;
            }
            int colon = decoded.indexOf(':');
            return colon > 0 && ADMIN_USER.equals(decoded.substring(0, colon)) && adminToken.matches(decoded.substring(colon + 1));
        }
        return false;
    }
}
