package io.vigie.datasets.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigie.datasets.DataException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.zip.GZIPInputStream;

/**
 * {@code vigie replay --features fraud}: the Fraud-Detection Handbook's transactions as a payment
 * platform posts them, raw: the amount and the calendar of its time, the card and the terminal as
 * entity keys, and the time. The model it creates declares the card's and the terminal's windows
 * as aggregates, so the service computes the online features that {@code vigie eval --features
 * fraud} computes offline (terminal fraud rates over windows ending one label delay back, from the
 * frauds learned), and ranks cards for card precision.
 */
final class FraudFeed implements AutoCloseable {
    private static final int[] WINDOWS_DAYS = {1, 7, 30};
    private final BufferedReader raw;
    private final ObjectMapper json;

    FraudFeed(Path data, ObjectMapper json) throws IOException {
        InputStream in = Files.newInputStream(data);
        this.raw = new BufferedReader(new InputStreamReader(data.toString().endsWith(".gz") ? new GZIPInputStream(in) : in,
                StandardCharsets.UTF_8));
        this.raw.readLine(); // the header, checked by the stream read beside it
        this.json = json;
    }

    /** The model: the stream's schema, the card and terminal keys, the twelve windows as aggregates, card precision at 100. */
    ObjectNode definition(ObjectNode create, Duration labelDelay) {
        ArrayNode keys = create.putArray("keys");
        keys.add("customer").add("terminal");
        ArrayNode aggregates = create.putArray("aggregates");
        for (int days : WINDOWS_DAYS) {
            String window = "P" + days + "D";
            aggregates.addObject().put("feature", "customer_tx_" + days + "d").put("key", "customer").put("function", "count")
                    .put("window", window);
            aggregates.addObject().put("feature", "customer_mean_amount_" + days + "d").put("key", "customer").put("function", "mean")
                    .put("of", "amount").put("window", window);
        }
        for (int days : WINDOWS_DAYS) {
            String window = "P" + days + "D";
            aggregates.addObject().put("feature", "terminal_tx_" + days + "d").put("key", "terminal").put("function", "count")
                    .put("window", window).put("delay", labelDelay.toString());
            aggregates.addObject().put("feature", "terminal_risk_" + days + "d").put("key", "terminal").put("function", "positive_rate")
                    .put("window", window).put("delay", labelDelay.toString());
        }
        create.putObject("card_precision").put("key", "customer").put("k", 100);
        create.put("label_ttl", Duration.ofDays(30).plus(labelDelay.multipliedBy(2)).toString());
        return create;
    }

    /**
     * The next transaction as posted: {@code id}, the raw features (amount, hour, weekend, night as
     * the stream read them), its card and terminal, and its time.
     */
    ObjectNode event(String id, double amount, double hour, double weekend, double night, long timeMillis) {
        String[] row;
        try {
            String line = raw.readLine();
            if (line == null) {
                throw new DataException("the Handbook file ended before its stream did");
            }
            row = line.split(",");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode event = json.createObjectNode().put("id", id).put("time", Instant.ofEpochMilli(timeMillis).toString());
        event.putObject("features").put("amount", amount).put("hour", hour).put("weekend", weekend).put("night", night);
        event.putObject("keys").put("customer", row[2]).put("terminal", row[3]);
        return event;
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }
}
