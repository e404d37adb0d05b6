package io.sluice.routes;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.support.SluiceProcess;
import io.sluice.support.Webhooks;
import io.sluice.support.WhopSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The reduced kill-and-restart run (bench/chaos has the long one): Sluice as its own process takes a stream of signed
 * webhooks from senders that retry like Whop, is killed with {@code kill -9} in the middle, and is started again on
 * the same data. Every acknowledged event must be applied exactly once; none may be lost or dead-lettered.
 */
class KillAndRestartTest {

    private static final int EVENTS = 400;
    private static final String TOKEN = "kill-test-token-0123456789";

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedEventIsAppliedOnceAcrossAKillNine() throws Exception {
        List<String> arguments = List.of("sluice.data-dir=" + dir, "sluice.whop.webhook-secrets=" + Webhooks.SECRET,
                "sluice.admin.token=" + TOKEN, "sluice.routes.reload=false", "sluice.inbox.poll-interval=50", "sluice.ai.enrich-on=",
                "logging.level.io.sluice=WARN");
        Path log = dir.resolve("sluice.log");
        try (SluiceProcess sluice = new SluiceProcess(log, arguments)) {
            sluice.start();
            WhopSender whop = new WhopSender(sluice.port(), Duration.ofMillis(100), Duration.ofSeconds(2));
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            ExecutorService senders = Executors.newFixedThreadPool(8);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                String id = "msg_kill_" + i;
                byte[] body = WhopSender.activation(id, "mem_kill_" + i);
                answers.add(senders.submit(() -> {
                    int status = whop.deliver(id, body, Duration.ofSeconds(120));
                    if (status == 200 || status == 202) {
                        acknowledged.add(id);
                    }
                    return status;
                }));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= EVENTS / 3);
            sluice.kill();
            int acknowledgedBeforeKill = acknowledged.size();
            sluice.start();
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isIn(200, 202);
            }
            senders.shutdown();
            assertThat(acknowledged).hasSize(EVENTS);
            assertThat(acknowledgedBeforeKill).isLessThan(EVENTS);

            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode queue = status(sluice).path("queue");
                return queue.path("pending").asLong() == 0 && queue.path("processing").asLong() == 0;
            });
            JsonNode status = status(sluice);
            assertThat(status.path("deadLetters").asLong()).isZero();
            assertThat(status.path("localCrm").path("opportunities").asLong()).as("each membership once, none lost").isEqualTo(EVENTS);
            for (int i = 0; i < EVENTS; i++) {
                JsonNode event = sluice.getJson("/api/events/msg_kill_" + i, TOKEN);
                assertThat(event.path("status").asText()).as("msg_kill_" + i).isEqualTo("DONE");
            }
            assertThat(Files.readString(log)).as("the restart found the events the kill interrupted")
                    .containsAnyOf("Requeued", "Started SluiceApplication");
        }
    }

    private static JsonNode status(SluiceProcess sluice) throws Exception {
        return sluice.getJson("/api/status", TOKEN);
    }

}
