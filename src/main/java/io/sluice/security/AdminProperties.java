package io.sluice.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Admin API and Hawtio credentials; generated into the data directory when unset.
 *
 * @param token bearer token for the admin API, Hawtio and Jolokia, and the HTTP Basic password of user admin
 */
@Validated
@ConfigurationProperties("sluice.admin")
public record AdminProperties(String token) {
}
