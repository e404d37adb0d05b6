package io.sluice.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

/**
 * Who may call what: webhooks and health/metrics are open (webhooks carry their own signatures); the admin API,
 * Hawtio and Jolokia need the admin token, as Bearer or as HTTP Basic password of user {@code admin}, and refuse
 * requests a browser makes for a page of another origin ({@link CrossOriginGuard}).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, AdminToken adminToken) throws Exception {
        http.csrf(csrf -> csrf.disable()) // no cookies or sessions: every request carries its credential
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .addFilterBefore(new AdminCredentialsFilter(adminToken), AuthorizationFilter.class)
                // pages of another site may not drive the admin surface with the browser's cached credentials
                .addFilterBefore(new CrossOriginGuard(), AdminCredentialsFilter.class)
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**",
                                "/actuator/prometheus", "/actuator/info", "/error").permitAll()
                        // Whop's OAuth redirect: only a state this Sluice issued (single use, 10 min) completes it
                        .requestMatchers("/auth/whop/callback").permitAll()
                        .anyRequest().hasRole("ADMIN"))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> {
                            response.setStatus(401);
                            response.addHeader("WWW-Authenticate", "Bearer realm=\"Sluice\"");
                            response.addHeader("WWW-Authenticate", "Basic realm=\"Sluice\"");
                            // the same problem form as the admin API's other errors (admin/ApiExceptionHandler)
                            response.setContentType("application/problem+json");
                            response.setCharacterEncoding("UTF-8");
                            response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401,"
                                    + "\"detail\":\"send 'Authorization: Bearer <SLUICE_ADMIN_TOKEN>' or HTTP Basic as user admin\","
                                    + "\"error\":\"missing or wrong admin credentials: send "
                                    + "'Authorization: Bearer <SLUICE_ADMIN_TOKEN>' or HTTP Basic as user admin\"}");
                        }));
        return http.build();
    }

    /**
     * Webhooks authenticate by their signatures, checked in the routes; Spring Security has nothing to add there,
     * and its filter chain would run twice per webhook (request and async dispatch) on the hottest path.
     */
    @Bean
    WebSecurityCustomizer webhooksBypassSecurityFilters() {
        return web -> web.ignoring().requestMatchers("/webhooks/**");
    }

    /** No user store: the admin token is the only credential. Declared so Spring Boot generates no default user. */
    @Bean
    UserDetailsService noUsers() {
        return new InMemoryUserDetailsManager();
    }
}
