// Transaction smoke test for the dev/CI broker, run by `deploy/kafka/kafka.sh smoke` with
// the JDK's single-file source launcher on the cached Kafka jars (no build step):
//
//   java -cp '<cache>/kafka-<version>/libs/*' deploy/kafka/TxnSmoke.java 127.0.0.1:9092
//
// It commits one transaction of 3 records and aborts one of 2 records on a fresh topic, then
// checks that a read_committed consumer sees exactly the 3 committed records and a
// read_uncommitted consumer sees all 5 (plus nothing else). Exit code 0 on success.
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public class TxnSmoke {
    public static void main(String[] args) throws Exception {
        String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
        String topic = "scrubd-txn-smoke-" + UUID.randomUUID().toString().substring(0, 8);
        long t0 = System.nanoTime();

        Properties common = new Properties();
        common.put("bootstrap.servers", bootstrap);
        common.put("request.timeout.ms", "10000");
        common.put("default.api.timeout.ms", "20000");

        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }

        Properties pp = new Properties();
        pp.putAll(common);
        pp.put("transactional.id", topic + "-producer");
        pp.put("enable.idempotence", "true");
        pp.put("acks", "all");
        pp.put("max.block.ms", "20000");
        try (KafkaProducer<String, String> p =
                 new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer())) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 1; i <= 3; i++) p.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
            p.commitTransaction();
            p.beginTransaction();
            for (int i = 1; i <= 2; i++) p.send(new ProducerRecord<>(topic, "a" + i, "aborted-" + i));
            p.flush();
            p.abortTransaction();
        }

        List<String> committed = readAll(common, topic, "read_committed");
        List<String> uncommitted = readAll(common, topic, "read_uncommitted");
        System.out.println("read_committed:   " + committed);
        System.out.println("read_uncommitted: " + uncommitted);

        boolean ok = committed.equals(List.of("committed-1", "committed-2", "committed-3"))
            && uncommitted.equals(List.of("committed-1", "committed-2", "committed-3", "aborted-1", "aborted-2"));

        try (Admin admin = Admin.create(common)) {
            admin.deleteTopics(List.of(topic)).all().get();
        }
        System.out.printf("%s: transactional commit/abort on %s in %.1f s%n",
            ok ? "OK" : "FAIL", bootstrap, (System.nanoTime() - t0) / 1e9);
        System.exit(ok ? 0 : 1);
    }

    static List<String> readAll(Properties common, String topic, String isolation) {
        Properties cp = new Properties();
        cp.putAll(common);
        cp.put("isolation.level", isolation);
        cp.put("enable.auto.commit", "false");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c =
                 new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            // The end offset for read_committed is the last stable offset.
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 20000;
            while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) values.add(r.value());
            }
        }
        return values;
    }
}
