package io.sluice.inbox;

import io.sluice.config.InboxProperties;
import io.sluice.event.CanonicalEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Group commit for the inbox: events that arrive together are inserted in one transaction, and each request is
 * answered only after the transaction holding its event has committed. Under light load a batch is a single
 * event, so nothing waits for company; under heavy load one disk flush acknowledges many webhooks.
 */
@Component
public class GroupCommitInbox implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitInbox.class);
    private static final long WAIT_SECONDS = 10;

    private record Pending(CanonicalEvent event, CompletableFuture<Boolean> stored) {
    }

    private final EventLog eventLog;
    private final BlockingQueue<Pending> queue;
    private final int maxBatch;
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    public GroupCommitInbox(EventLog eventLog, InboxProperties inbox) {
        this.eventLog = eventLog;
        this.maxBatch = inbox.maxBatch();
        this.queue = new ArrayBlockingQueue<>(inbox.maxBatch() * 32);
        for (int i = 0; i < inbox.writers(); i++) {
            Thread writer = new Thread(this::writeLoop, "sluice-inbox-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    /**
     * Stores the event durably; true if it is new, false if an event with its id was already stored.
     *
     * @throws org.springframework.dao.DataAccessException when it could not be stored (answer 503: the sender retries)
     */
    public boolean store(CanonicalEvent event) {
        Pending pending = new Pending(event, new CompletableFuture<>());
        try {
            if (!running || !queue.offer(pending, WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new DataAccessResourceFailureException("the inbox is not accepting events (stopping or overloaded)");
            }
            return pending.stored().get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataAccessResourceFailureException("interrupted while storing event " + event.id(), e);
        } catch (TimeoutException e) {
            throw new DataAccessResourceFailureException("storing event " + event.id() + " took longer than " + WAIT_SECONDS + " s", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw new DataAccessResourceFailureException("storing event " + event.id() + " failed", e.getCause());
        }
    }

    private void writeLoop() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                write(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                batch.forEach(p -> p.stored().completeExceptionally(e));
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Pending> batch) {
        try {
            boolean[] inserted = eventLog.insertAllIfAbsent(batch.stream().map(Pending::event).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).stored().complete(inserted[i]);
            }
        } catch (DataAccessResourceFailureException | TransientDataAccessException e) {
            batch.forEach(p -> p.stored().completeExceptionally(e)); // the database is down: every one gets 503
        } catch (RuntimeException e) {
            if (batch.size() == 1) {
                batch.get(0).stored().completeExceptionally(e);
                return;
            }
            // one bad row must not fail its neighbours: store them one by one
            log.warn("Group insert of {} events failed ({}); storing them one by one", batch.size(), e.getMessage());
            for (Pending p : batch) {
                try {
                    p.stored().complete(eventLog.insertIfAbsent(p.event()));
                } catch (RuntimeException single) {
                    p.stored().completeExceptionally(single);
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread writer : writers) {
            writer.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        }
    }
}
