package io.sluice.store;

import java.time.Instant;
import java.util.List;

/**
 * One Whop sync run as stored: what it pulls, where it stands (resource and page cursor) and how it ended.
 *
 * @param resources      the Whop resources it pulls, in order (e.g. {@code memberships, members, payments})
 * @param resourceIndex  which of them it is on; equal to the size when all are done
 * @param pageCursor     the {@code after} cursor of the next page of the current resource; null for its first page
 * @param updatedAfter   the lower bound of an incremental pull of payments
 * @param highWater      the newest {@code updated_at} seen, which becomes the next watermark
 * @param claimedBy      the process pulling it while RUNNING ({@code sluice.inbox.instance-id}); null for runs of an earlier version
 * @param leaseUntil     until when that process's hold lasts unless it renews it
 */
public record SyncRun(String id, String mode, String startedBy, String status, List<String> resources, int resourceIndex,
                      String pageCursor, Instant updatedAfter, Instant highWater, int errors, String lastError,
                      Instant startedAt, Instant updatedAt, Instant finishedAt, String claimedBy, Instant leaseUntil) {

    public static final String RUNNING = "RUNNING";
    public static final String PAUSED = "PAUSED";
    public static final String WAITING = "WAITING";
    public static final String COMPLETED = "COMPLETED";
    public static final String COMPLETED_WITH_ERRORS = "COMPLETED_WITH_ERRORS";
    public static final String FAILED = "FAILED";

    public boolean finished() {
        return finishedAt != null;
    }

    /** The resource being pulled, or null once every resource is done. */
    public String currentResource() {
        return resourceIndex < resources.size() ? resources.get(resourceIndex) : null;
    }
}
