import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A single-node Kafka for the benchmarks (bench/cluster.sh): one KRaft process that is broker and controller at
 * once, on a fresh log directory, with the named topics created. It prints {@code ready <bootstrap servers>} once
 * the topics exist and runs until it is killed.
 *
 * java -cp <test classpath>:<classes> KafkaBroker --port 19092 --controller-port 19093 --dir DIR
 *      [--partitions 4] topic ...
 */
public class KafkaBroker {

    public static void main(String[] args) throws Exception {
        int port = 19092;
        int controllerPort = 19093;
        int partitions = 4;
        Path dir = null;
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--controller-port" -> controllerPort = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                default -> topics.add(args[i]);
            }
        }
        if (dir == null) {
            dir = Files.createTempDirectory("kafka-bench-");
        }
        Files.createDirectories(dir);
        String logDir = dir.toAbsolutePath().toString();

        new Formatter().setNodeId(1).setClusterId(Uuid.randomUuid().toString()).addDirectory(logDir)
                .setMetadataLogDirectory(logDir).setControllerListenerName("CONTROLLER")
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION).run();

        Properties config = new Properties();
        config.put("process.roles", "broker,controller");
        config.put("node.id", "1");
        config.put("controller.quorum.voters", "1@localhost:" + controllerPort);
        config.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        config.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        config.put("controller.listener.names", "CONTROLLER");
        config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        config.put("inter.broker.listener.name", "PLAINTEXT");
        config.put("log.dirs", logDir);
        config.put("offsets.topic.replication.factor", "1");
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        // the cleaner's default dedupe buffer is 128 MB of heap, for compacted topics this broker does not have
        config.put("log.cleaner.dedupe.buffer.size", "2097152");
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        server.startup();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));

        String bootstrap = "localhost:" + port;
        if (!topics.isEmpty()) {
            List<NewTopic> wanted = new ArrayList<>();
            for (String topic : topics) {
                wanted.add(new NewTopic(topic, partitions, (short) 1));
            }
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(wanted).all().get();
            }
        }
        System.out.println("ready " + bootstrap);
        System.out.flush();
        server.awaitShutdown();
    }
}
