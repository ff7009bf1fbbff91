package io.vigie.datasets;

import io.vigie.learner.EventStream;
import io.vigie.learner.LabelledEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FraudHandbookStreamTest {
    private static final long DAY = 86_400;

    @TempDir
    Path tmp;

    private static String row(long id, long seconds, int customer, int terminal, double amount, int fraud) {
        return id + ",ignored," + customer + "," + terminal + "," + amount + "," + seconds + "," + seconds / DAY + "," + fraud + "," + (fraud * 2);
    }

    private List<double[]> features(List<String> rows, Duration delay) throws IOException {
        Path file = tmp.resolve("tx.csv");
        List<String> lines = new ArrayList<>(List.of(FraudHandbookStream.HEADER));
        lines.addAll(rows);
        Files.write(file, lines);
        List<double[]> out = new ArrayList<>();
        try (EventStream stream = Streams.fraud(file.toString(), delay, -1)) {
            while (stream.hasNext()) {
                LabelledEvent event = stream.next();
                out.add(event.instance().toDoubleArray());
            }
        }
        return out;
    }

    @Test
    void features_useOnlyThePastAndDeliveredLabels() throws IOException {
        List<double[]> f = features(List.of(
                row(0, 10, 1, 5, 100, 1),                // day 0, 00:00:10 (a Sunday: 2018-04-01)
                row(1, 2 * DAY + 3600 * 8, 1, 5, 50, 0), // day 2, 08:00, same customer and terminal
                row(2, 9 * DAY, 2, 5, 20, 0),            // day 9: the day-0 fraud label is delivered (7 days)
                row(3, 40 * DAY, 1, 5, 10, 0)),          // day 40: everything older than 30 days is gone
                Duration.ofDays(7));
        double[] first = f.get(0);
        assertEquals(100, first[0]);
        assertEquals(0, first[1], "hour");
        assertEquals(1, first[2], "2018-04-01 was a Sunday");
        assertEquals(1, first[3], "night");
        assertEquals(1, first[4], "the customer's own transaction counts");
        assertEquals(100, first[5]);
        assertEquals(0, first[10], "no delivered terminal history yet");

        double[] second = f.get(1);
        assertEquals(8, second[1]);
        assertEquals(0, second[2], "a Tuesday");
        assertEquals(0, second[3]);
        assertEquals(1, second[4], "1-day window: only this one");
        assertEquals(2, second[6], "7-day window: both");
        assertEquals(75, second[7]);
        assertEquals(0, second[14], "the day-0 label is not delivered on day 2");

        double[] third = f.get(2);
        assertEquals(1, third[4], "a new customer");
        assertEquals(1, third[12], "7-day terminal window ending at day 2 holds the day-0 transaction");
        assertEquals(1.0, third[13], "and it was a fraud");
        assertEquals(1, third[14], "the day-2 08:00 transaction is after the delivery horizon (day 2 00:00)");
        assertEquals(1.0, third[15]);

        double[] fourth = f.get(3);
        assertEquals(1, fourth[8], "30-day customer window has only day 40");
        assertEquals(1, fourth[14], "30-day terminal window ending at day 33 holds day 9 only");
        assertEquals(0, fourth[15]);
        assertEquals(0, fourth[16], "the class");
    }

    @Test
    void eventsCarryTheirCustomerAndTime() throws IOException {
        Path file = tmp.resolve("one.csv");
        Files.write(file, List.of(FraudHandbookStream.HEADER, row(0, 31, 596, 3156, 57.16, 0)));
        try (EventStream stream = Streams.fraud(file.toString(), Duration.ofDays(7), -1)) {
            LabelledEvent event = stream.next();
            assertEquals(596, event.entity());
            assertEquals(Instant.parse("2018-04-01T00:00:31Z").toEpochMilli(), event.timeMillis());
            assertEquals("TX_FRAUD", stream.schema().className());
            assertEquals(16, stream.schema().features().size());
        }
    }

    @Test
    void otherFiles_areRefused() throws IOException {
        Path file = tmp.resolve("other.csv");
        Files.write(file, List.of("a,b", "1,2"));
        DataException e = assertThrows(DataException.class, () -> Streams.fraud(file.toString(), Duration.ofDays(7), -1));
        assertTrue(e.getMessage().contains("Fraud-Detection Handbook"), e.getMessage());
    }

    @Test
    void realStream_isReadWholeWithAllItsFrauds() {
        String source = SharedData.file("fraud_handbook.csv.gz").toString();
        long events = 0;
        long frauds = 0;
        try (EventStream stream = Streams.fraud(source, Duration.ofDays(7), -1)) {
            while (stream.hasNext()) {
                frauds += (long) stream.next().instance().classValue();
                events++;
            }
        }
        assertEquals(1_754_155, events);
        assertEquals(14_681, frauds, "MANIFEST.md: 14,681 frauds");
    }
}
