package io.sluice.store;

import java.util.List;

/**
 * Work that a kill switch ({@link PauseStore}) holds in the inbox: a feature names its pause target and the sources of
 * the events that target holds, and the claimer leaves those events {@code RECEIVED} while the target is paused.
 */
public interface PausableWork {

    /** The pause target, e.g. {@code ai} ({@code PUT /api/pauses/{target}}). */
    String target();

    /** The event sources this target's events come from. */
    List<String> sources();
}
