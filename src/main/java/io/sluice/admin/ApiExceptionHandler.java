package io.sluice.admin;

import io.sluice.mapping.MappingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import java.util.NoSuchElementException;

/**
 * Admin API errors as {@link ProblemDetail}s with the right status ({@code status}, {@code title}, {@code detail}, and
 * the short {@code error}), never a stack trace.
 */
@RestControllerAdvice(basePackages = "io.sluice.admin")
@Order(Ordered.HIGHEST_PRECEDENCE) // before Spring Boot's problem handler, which answers what no admin handler reached
class ApiExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler({IllegalArgumentException.class, MissingServletRequestParameterException.class})
    ResponseEntity<ProblemDetail> badRequest(Exception e) {
        return error(HttpStatus.BAD_REQUEST, "bad request", e.getMessage());
    }

    /** A parameter of the wrong kind, named in the operator's terms (not the Java types it failed to convert). */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> wrongType(MethodArgumentTypeMismatchException e) {
        Class<?> type = e.getRequiredType();
        String expected = type == null ? "a different value"
                : Number.class.isAssignableFrom(type) || type == int.class || type == long.class ? "a whole number in range"
                : type == Boolean.class || type == boolean.class ? "true or false" : "a valid value";
        return error(HttpStatus.BAD_REQUEST, "bad request", "parameter '" + e.getName() + "' must be " + expected);
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        return error(HttpStatus.BAD_REQUEST, "request body is not valid JSON", null);
    }

    @ExceptionHandler(MappingException.class)
    ResponseEntity<ProblemDetail> mapping(MappingException e) {
        return error(HttpStatus.UNPROCESSABLE_ENTITY, "the active mapping cannot map this event", e.getMessage());
    }

    @ExceptionHandler(NoSuchElementException.class)
    ResponseEntity<ProblemDetail> notFound(NoSuchElementException e) {
        return error(HttpStatus.NOT_FOUND, "not found", e.getMessage());
    }

    @ExceptionHandler(io.sluice.store.SyncRunStore.RunConflictException.class)
    ResponseEntity<ProblemDetail> syncConflict(io.sluice.store.SyncRunStore.RunConflictException e) {
        ResponseEntity<ProblemDetail> response = error(HttpStatus.CONFLICT, e.getMessage(), null);
        response.getBody().setProperty("runningId", e.runningId());
        return response;
    }

    @ExceptionHandler({io.sluice.whop.WhopNotConnectedException.class, IllegalStateException.class})
    ResponseEntity<ProblemDetail> conflict(RuntimeException e) {
        return error(HttpStatus.CONFLICT, "not possible now", e.getMessage());
    }

    @ExceptionHandler(io.sluice.ai.AiUnavailableException.class)
    ResponseEntity<ProblemDetail> aiUnavailable(io.sluice.ai.AiUnavailableException e) {
        return error(HttpStatus.NOT_IMPLEMENTED, "not available with this AI provider", e.getMessage());
    }

    @ExceptionHandler(io.sluice.ai.AiCallException.class)
    ResponseEntity<ProblemDetail> aiFailed(io.sluice.ai.AiCallException e) {
        ResponseEntity<ProblemDetail> response = error(HttpStatus.SERVICE_UNAVAILABLE, "the AI provider failed; try again", e.getMessage());
        return e.retryAfter() == null ? response
                : ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", Long.toString(seconds(e.retryAfter())))
                .body(response.getBody());
    }

    /** The e-sign provider refused (502, with its message) or failed (503, with its Retry-After when it said). */
    @ExceptionHandler(io.sluice.esign.ESignException.class)
    ResponseEntity<ProblemDetail> esignFailed(io.sluice.esign.ESignException e) {
        if (!e.retryable()) {
            return error(HttpStatus.BAD_GATEWAY, "the e-sign provider refused", e.getMessage());
        }
        ResponseEntity<ProblemDetail> response = error(HttpStatus.SERVICE_UNAVAILABLE, "the e-sign provider failed; try again", e.getMessage());
        long wait = e.retryAfter() == null ? 10 : seconds(e.retryAfter());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", Long.toString(wait)).body(response.getBody());
    }

    /** A Retry-After in whole seconds, rounded up, and never 0 (which would invite an immediate retry). */
    private static long seconds(java.time.Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    @ExceptionHandler(UnsupportedOperationException.class)
    ResponseEntity<ProblemDetail> unsupported(UnsupportedOperationException e) {
        return error(HttpStatus.NOT_IMPLEMENTED, "not supported", e.getMessage());
    }

    /** A value the database cannot hold (too long, out of range): the request's fault, named without SQL. */
    @ExceptionHandler(org.springframework.dao.DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> doesNotFit(org.springframework.dao.DataIntegrityViolationException e) {
        log.info("Admin API request refused by the database: {}", e.getMostSpecificCause().getMessage());
        return error(HttpStatus.BAD_REQUEST, "bad request", "a value of the request is too long or out of range");
    }

    /** The database is unreachable or busy for now: the caller comes back, as after any 503. */
    @ExceptionHandler({org.springframework.dao.TransientDataAccessException.class,
            org.springframework.jdbc.CannotGetJdbcConnectionException.class})
    ResponseEntity<ProblemDetail> databaseUnavailable(org.springframework.dao.DataAccessException e) {
        log.warn("Admin API request failed, the database is unavailable: {}", e.getMostSpecificCause().getMessage());
        ResponseEntity<ProblemDetail> response = error(HttpStatus.SERVICE_UNAVAILABLE, "the database is unavailable; try again", null);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "5").body(response.getBody());
    }

    /** A fault of Sluice's own (the database down, a bug): a 500 problem that names no internals; the log has them. */
    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (e instanceof org.springframework.web.ErrorResponse spring) {
            // Spring's own (415, 406, 405 on a known path…) keep their status and their problem, with the short error
            ProblemDetail problem = spring.getBody();
            HttpStatus status = HttpStatus.resolve(spring.getStatusCode().value());
            problem.setProperty("error", status == null ? "request refused" : status.getReasonPhrase().toLowerCase(java.util.Locale.ROOT));
            return ResponseEntity.status(spring.getStatusCode()).headers(spring.getHeaders()).body(problem);
        }
        log.error("Admin API request failed", e);
        return error(HttpStatus.INTERNAL_SERVER_ERROR, "internal error", "the request failed inside Sluice; its log says why");
    }

    /**
     * An RFC 9457 problem ({@code application/problem+json}) that also carries the short {@code error} the API has always
     * answered; {@code detail} is left out when there is nothing to add.
     */
    static ResponseEntity<ProblemDetail> error(HttpStatus status, String error, String detail) {
        ProblemDetail problem = ProblemDetail.forStatus(status);
        problem.setDetail(detail);
        problem.setProperty("error", error);
        return ResponseEntity.status(status).body(problem);
    }
}
