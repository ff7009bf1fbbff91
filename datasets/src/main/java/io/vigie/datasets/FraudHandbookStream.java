package io.vigie.datasets;

import com.yahoo.labs.samoa.instances.DenseInstance;
import com.yahoo.labs.samoa.instances.Instance;
import io.vigie.learner.Feature;
import io.vigie.learner.LabelledEvent;
import io.vigie.learner.Schema;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Fraud-Detection Handbook's transaction stream with its online features, computed from the
 * past only, in time order:
 * <ul>
 *   <li>the transaction: amount, hour of day, weekend (Saturday or Sunday), night (hour ≤ 6);</li>
 *   <li>per customer, over the last 1, 7 and 30 days including this transaction: the number of
 *       transactions and their mean amount;</li>
 *   <li>per terminal, over 1, 7 and 30 days ending one feedback delay ago: the number of
 *       transactions and the share that were fraud — only labels already delivered after the
 *       delay count, as an investigator would know them.</li>
 * </ul>
 * The class is {@code TX_FRAUD}; {@code TX_FRAUD_SCENARIO} is never a feature (it gives the label
 * away). Each event's entity is its customer (card), for card precision.
 */
final class FraudHandbookStream extends FileStream {
    static final String HEADER = "TRANSACTION_ID,TX_DATETIME,CUSTOMER_ID,TERMINAL_ID,TX_AMOUNT,TX_TIME_SECONDS,TX_TIME_DAYS,TX_FRAUD,TX_FRAUD_SCENARIO";
    /** TX_TIME_SECONDS counts from 2018-04-01T00:00:00, taken as UTC. */
    private static final long START_EPOCH_SECONDS = 1_522_540_800L;
    private static final long DAY = 86_400L;
    private static final int[] WINDOWS_DAYS = {1, 7, 30};
    private static final Schema SCHEMA = buildSchema();

    private final long delaySeconds;
    private final Map<Long, ArrayDeque<double[]>> customers = new HashMap<>(); // {time, amount}
    private final Map<Long, ArrayDeque<double[]>> terminals = new HashMap<>(); // {time, fraud}

    FraudHandbookStream(Path file, Duration feedbackDelay) {
        super(file);
        this.delaySeconds = feedbackDelay.toSeconds();
        String header = nextLine();
        if (!HEADER.equals(header)) {
            close();
            throw new DataException(file + ": not the Fraud-Detection Handbook stream (expected the header " + HEADER + ")");
        }
    }

    private static Schema buildSchema() {
        List<Feature> features = new ArrayList<>(List.of(Feature.numeric("amount"), Feature.numeric("hour"),
                Feature.numeric("weekend"), Feature.numeric("night")));
        for (int days : WINDOWS_DAYS) {
            features.add(Feature.numeric("customer_tx_" + days + "d"));
            features.add(Feature.numeric("customer_mean_amount_" + days + "d"));
        }
        for (int days : WINDOWS_DAYS) {
            features.add(Feature.numeric("terminal_tx_" + days + "d"));
            features.add(Feature.numeric("terminal_risk_" + days + "d"));
        }
        return Schema.of(features, "TX_FRAUD", List.of("0", "1"));
    }

    @Override
    public Schema schema() {
        return SCHEMA;
    }

    @Override
    protected LabelledEvent read() {
        String text = nextLine();
        if (text == null) {
            return null;
        }
        String[] f = fields(text, 9);
        long customer;
        long terminal;
        double amount;
        long seconds;
        int fraud;
        try {
            customer = Long.parseLong(f[2]);
            terminal = Long.parseLong(f[3]);
            amount = Double.parseDouble(f[4]);
            seconds = Long.parseLong(f[5]);
            fraud = Integer.parseInt(f[7]);
        } catch (NumberFormatException e) {
            throw new DataException(file + " line " + line + ": not a number (" + e.getMessage() + ")");
        }
        if (fraud != 0 && fraud != 1) {
            throw new DataException(file + " line " + line + ": TX_FRAUD must be 0 or 1, got " + fraud);
        }
        double[] row = new double[SCHEMA.features().size() + 1];
        long epochSeconds = START_EPOCH_SECONDS + seconds;
        int hour = (int) (Math.floorMod(epochSeconds, DAY) / 3600);
        long dayOfWeek = Math.floorMod(Math.floorDiv(epochSeconds, DAY) + 3, 7); // 1970-01-01 was a Thursday; Monday = 0
        row[0] = amount;
        row[1] = hour;
        row[2] = dayOfWeek >= 5 ? 1 : 0;
        row[3] = hour <= 6 ? 1 : 0;

        ArrayDeque<double[]> history = customers.computeIfAbsent(customer, c -> new ArrayDeque<>());
        history.addLast(new double[]{seconds, amount});
        while (history.peekFirst()[0] <= seconds - 30 * DAY) {
            history.pollFirst();
        }
        for (int w = 0; w < WINDOWS_DAYS.length; w++) {
            long from = seconds - WINDOWS_DAYS[w] * DAY;
            int count = 0;
            double sum = 0;
            for (double[] tx : history) {
                if (tx[0] > from) {
                    count++;
                    sum += tx[1];
                }
            }
            row[4 + 2 * w] = count;
            row[5 + 2 * w] = sum / count;
        }

        ArrayDeque<double[]> past = terminals.computeIfAbsent(terminal, t -> new ArrayDeque<>());
        long known = seconds - delaySeconds; // labels of transactions up to here are delivered
        while (!past.isEmpty() && past.peekFirst()[0] <= known - 30 * DAY) {
            past.pollFirst();
        }
        for (int w = 0; w < WINDOWS_DAYS.length; w++) {
            long from = known - WINDOWS_DAYS[w] * DAY;
            int count = 0;
            int frauds = 0;
            for (double[] tx : past) {
                if (tx[0] > from && tx[0] <= known) {
                    count++;
                    frauds += (int) tx[1];
                }
            }
            row[10 + 2 * w] = count;
            row[11 + 2 * w] = count == 0 ? 0 : (double) frauds / count;
        }
        past.addLast(new double[]{seconds, fraud});

        row[SCHEMA.features().size()] = fraud;
        Instance instance = new DenseInstance(1.0, row);
        instance.setDataset(SCHEMA.header());
        return new LabelledEvent(instance, epochSeconds * 1000, customer);
    }
}
