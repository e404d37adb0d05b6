package io.sluice.status;

import java.util.Map;

/**
 * One module's part of the status an operator checks first ({@code GET /api/status}, {@code /actuator/sluice}): the
 * keys it adds, computed when asked. Each contributor knows only its own module; they are asked in their
 * {@code @Order}, which is the order of the keys in the answer.
 */
@FunctionalInterface
public interface StatusContributor {

    void contribute(Map<String, Object> status);
}
