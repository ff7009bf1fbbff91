package io.vigie.datasets.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigie.learner.LearnerException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The replay's Kafka side, for {@code vigie replay --kafka}: transactions and labels go to the
 * service's topics as a fraud platform's would, and predictions are read back from its
 * predictions topic. Each batch waits for its predictions, so labels keep their delay exactly.
 */
final class KafkaFeed implements AutoCloseable {
    private static final Duration WAIT = Duration.ofMinutes(2);

    private final ObjectMapper json;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> predictions;
    private final String transactions;
    private final String labels;

    KafkaFeed(String bootstrap, String prefix, ObjectMapper json) {
        this.json = json;
        this.transactions = prefix + ".transactions";
        this.labels = prefix + ".labels";
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 1), new StringSerializer(), new ByteArraySerializer());
        this.predictions = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
        createMissing(bootstrap, List.of(transactions, labels, prefix + ".predictions"));
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : predictions.partitionsFor(prefix + ".predictions", WAIT)) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        predictions.assign(partitions);
        predictions.seekToEnd(partitions); // only what this replay causes
        partitions.forEach(predictions::position);
    }

    /** Creates the topics that do not exist yet, with the broker's default partitions and replication. */
    private static void createMissing(String bootstrap, List<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Set<String> existing = admin.listTopics().names().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList();
            admin.createTopics(missing).all().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) { // created meanwhile by the service: fine
                throw new LearnerException("cannot create the topics " + topics + ": " + e.getCause().getMessage());
            }
        } catch (java.util.concurrent.TimeoutException e) {
            throw new LearnerException("Kafka at " + bootstrap + " did not answer within " + WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LearnerException("interrupted");
        }
    }

    /** Sends the events to be scored and returns their predictions, in the events' order. */
    ArrayNode predict(String model, ArrayNode events) throws IOException {
        Map<String, Integer> index = new HashMap<>();
        List<Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            ObjectNode event = ((ObjectNode) events.get(i)).deepCopy().put("model", model);
            index.put(event.get("id").asText(), i);
            sent.add(producer.send(new ProducerRecord<>(transactions, event.get("id").asText(), json.writeValueAsBytes(event))));
        }
        await(sent);
        JsonNode[] answers = new JsonNode[events.size()];
        int received = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (received < answers.length) {
            if (System.nanoTime() > deadline) {
                throw new LearnerException("no predictions for " + (answers.length - received) + " events on " + predictions.assignment()
                        + " within " + WAIT.toSeconds() + " s (is the service running with --kafka?)");
            }
            for (ConsumerRecord<String, byte[]> record : predictions.poll(Duration.ofMillis(100))) {
                Integer at = index.remove(record.key());
                if (at != null) {
                    answers[at] = json.readTree(record.value());
                    received++;
                }
            }
        }
        ArrayNode ordered = json.createArrayNode();
        for (JsonNode answer : answers) {
            ordered.add(answer);
        }
        return ordered;
    }

    /** Sends labels {@code {"id", "label"}} for the model. */
    void label(String model, ArrayNode items) throws IOException {
        List<Future<?>> sent = new ArrayList<>();
        for (JsonNode item : items) {
            ObjectNode label = ((ObjectNode) item).deepCopy().put("model", model);
            sent.add(producer.send(new ProducerRecord<>(labels, item.get("id").asText(), json.writeValueAsBytes(label))));
        }
        await(sent);
    }

    private static void await(List<Future<?>> sent) {
        try {
            for (Future<?> send : sent) {
                send.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new LearnerException("Kafka did not take a record: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LearnerException("interrupted");
        }
    }

    @Override
    public void close() {
        producer.close();
        predictions.close();
    }
}
