package io.sluice.processing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * In-process locks on people, for batches written at once by one process: a batch takes the locks of its people in
 * sorted order (so two batches never wait for each other in a cycle) and a batch that shares a person with another
 * waits for it, however long its CRM calls take. Without them the second batch would wait on the CRM write leases,
 * which give up after {@code sluice.crm.write-lock-wait} and send the whole batch the single-event way. Batches of
 * other processes still meet at the leases.
 */
final class PersonLocks {

    /** The locks a batch holds; closing gives them back. */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    private final Map<String, Entry> entries = new HashMap<>();

    /** Takes the lock of every person (null and repeated emails ignored), waiting while another batch holds one. */
    Held lockAll(Collection<String> emails) {
        List<Map.Entry<String, Entry>> held = new ArrayList<>();
        try {
            for (String email : new TreeSet<>(emails.stream().filter(java.util.Objects::nonNull).toList())) {
                Entry entry = use(email);
                held.add(Map.entry(email, entry));
                entry.lock.lockInterruptibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            release(held);
            throw new IllegalStateException("interrupted while waiting for another batch of the same people", e);
        }
        java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) { // closing twice gives back once
                release(held);
            }
        };
    }

    private synchronized Entry use(String email) {
        Entry entry = entries.computeIfAbsent(email, e -> new Entry());
        entry.users++;
        return entry;
    }

    private void release(List<Map.Entry<String, Entry>> held) {
        for (int i = held.size() - 1; i >= 0; i--) {
            Entry entry = held.get(i).getValue();
            if (entry.lock.isHeldByCurrentThread()) {
                entry.lock.unlock();
            }
            done(held.get(i).getKey(), entry);
        }
    }

    private synchronized void done(String email, Entry entry) {
        if (--entry.users == 0) {
            entries.remove(email, entry);
        }
    }
}
