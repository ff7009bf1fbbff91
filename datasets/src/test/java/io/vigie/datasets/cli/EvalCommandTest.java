package io.vigie.datasets.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigie.datasets.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vigie eval} as a user runs it: its output, its determinism and its errors. */
class EvalCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** What one run printed. */
    record Run(int status, String out, String err) {
        JsonNode json() throws IOException {
            List<String> lines = out.lines().toList();
            return JSON.readTree(lines.get(lines.size() - 1));
        }
    }

    static Run eval(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] argv = new String[args.length + 1];
        argv[0] = "eval";
        System.arraycopy(args, 0, argv, 1, args.length);
        int status = Main.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String elec2() {
        return SharedData.file("elec2.arff.gz").toString();
    }

    @Test
    void json_hasTheDocumentedFields() throws IOException {
        Run run = eval("--data", elec2(), "--model", "ht", "--delay", "100", "--limit", "5000", "--json");
        assertEquals(0, run.status, run.err);
        JsonNode json = run.json();
        for (String field : List.of("model", "spec", "seed", "data", "instances", "delay", "accuracy", "kappa", "kappa_temporal",
                "kappa_m", "nonfinite_votes", "precision", "recall", "pr_auc", "roc_auc", "baselines", "seconds", "instances_per_second")) {
            assertTrue(json.has(field), "missing " + field + " in " + json);
        }
        assertEquals("ht", json.get("model").asText());
        assertEquals("elec2.arff.gz", json.get("data").asText());
        assertEquals(5000, json.get("instances").asLong());
        assertEquals("100", json.get("delay").asText());
        double accuracy = json.get("accuracy").asDouble();
        assertEquals(json.get("correct").asDouble() / 5000, accuracy, 1e-12);
        assertTrue(accuracy > json.get("baselines").get("majority").asDouble(), json.toString());
        assertTrue(json.get("baselines").has("no_change"));
    }

    @Test
    void sameRunTwice_givesIdenticalJsonApartFromTiming() throws IOException {
        String[] args = {"--data", elec2(), "--model", "arf", "--seed", "3", "--delay", "50", "--limit", "3000", "--json"};
        ObjectNode first = (ObjectNode) eval(args).json();
        ObjectNode second = (ObjectNode) eval(args).json();
        for (ObjectNode json : List.of(first, second)) {
            json.remove("seconds");
            json.remove("instances_per_second");
        }
        assertEquals(first, second);
    }

    /** A committee's members learning on two threads give the run of one, to the last count; the estimates are in the JSON too. */
    @Test
    void threads_changeNothingButWhereMembersLearn() throws IOException {
        String[] one = {"--data", elec2(), "--model", "committee", "--delay", "100", "--limit", "3000", "--json"};
        String[] two = Arrays.copyOf(one, one.length + 2);
        two[one.length] = "--threads";
        two[one.length + 1] = "2";
        ObjectNode sequential = (ObjectNode) eval(one).json();
        ObjectNode parallel;
        try {
            parallel = (ObjectNode) eval(two).json();
        } finally {
            io.vigie.learner.LearningThreads.use(1); // the setting is the process's
        }
        for (ObjectNode json : List.of(sequential, parallel)) {
            json.remove("seconds");
            json.remove("instances_per_second");
        }
        assertEquals(sequential, parallel);
        assertTrue(sequential.get("estimated_accuracy").isNumber() && sequential.get("estimates_by_window").size() > 0, sequential.toString());
    }

    /**
     * The conformal method moves only the sets: the same predictions, another coverage and set
     * size; a method that does not exist is a usage error that names those that do.
     */
    @Test
    void conformalMethod_changesTheSetsOnly_andAnUnknownOneIsRefused() throws IOException {
        JsonNode aci = eval("--data", elec2(), "--model", "hat", "--delay", "100", "--limit", "5000", "--json").json();
        JsonNode dtaci = eval("--data", elec2(), "--model", "hat", "--delay", "100", "--limit", "5000", "--conformal", "dtaci", "--json").json();
        assertEquals("aci", aci.get("conformal_method").asText());
        assertEquals("dtaci", dtaci.get("conformal_method").asText());
        assertEquals(aci.get("correct"), dtaci.get("correct"));
        assertEquals(aci.get("roc_auc"), dtaci.get("roc_auc"));
        assertFalse(aci.get("coverage").equals(dtaci.get("coverage")) && aci.get("mean_set_size").equals(dtaci.get("mean_set_size")),
                "the sets moved alike: " + aci + " vs " + dtaci);
        Run unknown = eval("--data", elec2(), "--limit", "100", "--conformal", "pid");
        assertEquals(2, unknown.status, unknown.err);
        assertTrue(unknown.err.contains("unknown conformal method 'pid'") && unknown.err.contains("dtaci"), unknown.err);
    }

    @Test
    void help_printsEveryOption() {
        Run run = eval("--help");
        assertEquals(0, run.status);
        for (String option : List.of("--data", "--model", "--delay", "--target-coverage", "--conformal", "--features", "--period", "--json")) {
            assertTrue(run.out.contains(option), option + " missing from the help:\n" + run.out);
        }
    }

    @Test
    void table_showsTheModelNextToItsBaselines() {
        Run run = eval("--data", elec2(), "--model", "nb", "--limit", "2000");
        assertEquals(0, run.status, run.err);
        assertTrue(run.out.contains("accuracy"), run.out);
        for (String learner : List.of("nb", "no-change", "majority")) {
            assertTrue(run.out.lines().anyMatch(l -> l.startsWith(learner + " ")), learner + " row missing:\n" + run.out);
        }
    }

    @Test
    void saveThenFrom_continuesTheSavedModel() throws IOException {
        Path snapshot = tmp.resolve("hat.snapshot");
        assertEquals(0, eval("--data", elec2(), "--model", "hat", "--limit", "4000", "--save", snapshot.toString()).status);
        Run resumed = eval("--data", elec2(), "--from", snapshot.toString(), "--limit", "1000", "--json");
        assertEquals(0, resumed.status, resumed.err);
        assertEquals(5000, resumed.json().get("learned").asLong(), "4000 events from the snapshot, then 1000 more");
        assertEquals("hat", resumed.json().get("model").asText());
        Run fresh = eval("--data", elec2(), "--model", "hat", "--limit", "1000", "--json");
        assertEquals(1000, fresh.json().get("learned").asLong());
        assertTrue(!resumed.json().get("correct").equals(fresh.json().get("correct")), "the saved model predicts differently");
    }

    /** 30 days of 20 transactions, hourly from midnight, a fraud every third hour: 600 rows with a time column. */
    private Path timedTransactions(String name) throws IOException {
        Path csv = tmp.resolve(name);
        StringBuilder rows = new StringBuilder("when,amount,fraud\n");
        for (int day = 1; day <= 30; day++) {
            for (int hour = 0; hour < 20; hour++) {
                rows.append(String.format("2018-04-%02dT%02d:00:00,%d,%d%n", day, hour, (hour * 7 + day) % 50, hour % 3 == 0 ? 1 : 0));
            }
        }
        Files.writeString(csv, rows.toString());
        return csv;
    }

    @Test
    void timeDelay_readsTheTimeColumn() throws IOException {
        Path csv = timedTransactions("tx.csv");
        Run run = eval("--data", csv.toString(), "--time", "when", "--delay", "1d", "--model", "nochange", "--json");
        assertEquals(0, run.status, run.err);
        assertEquals("PT24H", run.json().get("delay").asText());
        assertEquals(600, run.json().get("instances").asLong());
        // the last event is at April 30 19:00: labels of events up to April 29 19:00 are due by then
        assertEquals(28 * 20 + 20, run.json().get("learned").asLong());
        Run untimed = eval("--data", csv.toString(), "--delay", "1d", "--json");
        assertEquals(1, untimed.status);
        assertTrue(untimed.err.contains("time column"), untimed.err);
    }

    @Test
    void implicitLabels_learnTheSilentClassAfterItsSpan_andCountCorrections() throws IOException {
        Path csv = timedTransactions("chargebacks.csv");
        Run run = eval("--data", csv.toString(), "--time", "when", "--implicit", "0@2d", "--delay", "5d", "--model", "nochange", "--json");
        assertEquals(0, run.status, run.err);
        JsonNode implicit = run.json().get("implicit");
        assertEquals("0", implicit.get("class").asText());
        assertEquals("PT48H", implicit.get("after").asText());
        // the last event is at April 30 19:00: every event up to April 28 19:00 was implied (frauds too: theirs come at 5 days)
        assertEquals(28 * 20, implicit.get("implied").asLong());
        // frauds (7 a day) up to April 25 19:00 then got their true label, each a correction
        assertEquals(25 * 7, implicit.get("corrections").asLong());
        assertEquals(28 * 20 + 25 * 7, run.json().get("learned").asLong(), "a correction is learned again");

        Run text = eval("--data", csv.toString(), "--time", "when", "--implicit", "0@2d", "--delay", "1d", "--model", "nochange");
        assertTrue(text.out.contains("labels of '0' never delivered: 364 events learned as it after PT48H without a label, 0 of them"),
                "frauds come at 1 day, before the implied label: " + text.out);
        assertEquals(2, eval("--data", csv.toString(), "--implicit", "0").status, "CLASS@SPAN");

        // the same stream, the line moved by costs: every alert where P(fraud) >= 1/51, so no fewer frauds found
        Run argmax = eval("--data", csv.toString(), "--time", "when", "--delay", "1d", "--model", "nb", "--json");
        Run costed = eval("--data", csv.toString(), "--time", "when", "--delay", "1d", "--model", "nb", "--costs", "50:1", "--json");
        assertEquals(1 / 51.0, costed.json().get("alert_threshold").asDouble(), 1e-15);
        JsonNode c = costed.json();
        long frauds = 30 * 7;
        long found = Math.round(c.get("recall").asDouble() * frauds);
        long alerts = Math.round(found / c.get("precision").asDouble());
        assertEquals((50.0 * (frauds - found) + (alerts - found)) / 600, c.get("cost_per_event").asDouble(), 1e-9,
                "misses at 50, false alerts at 1, per event");
        assertTrue(costed.json().get("recall").asDouble() >= argmax.json().get("recall").asDouble(), costed.out + argmax.out);
        assertEquals(argmax.json().get("pr_auc").asDouble(), costed.json().get("pr_auc").asDouble(), 1e-15,
                "the ranking is the model's, not the line's");
        Path busy = tmp.resolve("busy.csv"); // 240 transactions a day, 10 of them the team can check
        StringBuilder lines = new StringBuilder("when,amount,fraud\n");
        java.util.Random random = new java.util.Random(2);
        for (int day = 1; day <= 10; day++) {
            for (int minute = 0; minute < 1440; minute += 6) {
                int amount = random.nextInt(100);
                lines.append(String.format("2018-04-%02dT%02d:%02d:00,%d,%d%n", day, minute / 60, minute % 60, amount,
                        amount > 90 && random.nextBoolean() ? 1 : 0));
            }
        }
        Files.writeString(busy, lines.toString());
        Run budget = eval("--data", busy.toString(), "--time", "when", "--delay", "1d", "--model", "ht", "--alert-budget", "10", "--json");
        assertEquals(0, budget.status, budget.err);
        assertEquals(10, budget.json().get("alert_budget").asLong());
        double perDay = budget.json().get("alerts_per_day").asDouble();
        assertTrue(perDay >= 7 && perDay <= 13, "about 10 alerts on each whole day: " + perDay);
        assertEquals(2, eval("--data", csv.toString(), "--alert-budget", "2", "--costs", "5:1").status, "one alert line");
        assertEquals(2, eval("--data", csv.toString(), "--costs", "50").status, "MISSED:FALSE_ALERT");
        assertEquals(1, eval("--data", csv.toString(), "--costs", "-1:1").status, "costs are positive");
        Run unknown = eval("--data", csv.toString(), "--time", "when", "--implicit", "genuine@2d");
        assertEquals(1, unknown.status);
        assertTrue(unknown.err.contains("genuine"), unknown.err);
    }

    @Test
    void badInputs_giveOneClearLineAndANonZeroStatus() throws IOException {
        Path corrupt = tmp.resolve("corrupt.snapshot");
        Files.write(corrupt, "VIGIESNP garbage".getBytes(StandardCharsets.UTF_8));
        byte[] gz = Files.readAllBytes(SharedData.file("elec2.arff.gz"));
        Path truncated = tmp.resolve("truncated.arff.gz");
        Files.write(truncated, Arrays.copyOf(gz, gz.length / 2));
        Path trainCsv = tmp.resolve("train.csv");
        Files.writeString(trainCsv, "amount,channel,fraud\n1,web,0\n2,pos,1\n3,web,0\n");
        Path newValueCsv = tmp.resolve("new-value.csv");
        Files.writeString(newValueCsv, "amount,channel,fraud\n1,phone,0\n2,pos,1\n");
        Path wrongTypeCsv = tmp.resolve("wrong-type.csv");
        Files.writeString(wrongTypeCsv, "amount,channel,fraud\n1,7,0\n2,8,1\n");
        Path model = tmp.resolve("claims.snapshot");
        assertEquals(0, eval("--data", trainCsv.toString(), "--model", "nb", "--save", model.toString()).status);

        record Case(String why, int status, String expected, String... args) {
        }
        List<Case> cases = List.of(
                new Case("missing file", 1, "no such file", "--data", tmp.resolve("absent.arff").toString()),
                new Case("truncated file", 1, "truncated", "--data", truncated.toString()),
                new Case("unknown model", 1, "unknown model 'forest'", "--data", elec2(), "--model", "forest"),
                new Case("bad MOA options", 1, "MOA rejected", "--data", elec2(), "--model", "trees.HoeffdingTree -Q 1"),
                new Case("missing class column", 1, "no attribute named 'label'", "--data", elec2(), "--class", "label"),
                new Case("corrupt snapshot", 1, "corrupt", "--data", elec2(), "--from", corrupt.toString()),
                new Case("unknown nominal value", 1, "'channel': unknown value 'phone'", "--data", newValueCsv.toString(),
                        "--from", model.toString()),
                new Case("wrong type", 1, "'channel': expected one of [pos, web]", "--data", wrongTypeCsv.toString(),
                        "--from", model.toString()),
                new Case("generator without limit", 1, "--limit", "--data", "generator:generators.SEAGenerator"),
                new Case("unknown generator", 1, "no MOA stream", "--data", "generator:generators.Nope", "--limit", "10"),
                new Case("bad delay", 1, "invalid delay", "--data", elec2(), "--delay", "soon"),
                new Case("unknown option", 2, "unknown option --modle", "--data", elec2(), "--modle", "ht"),
                new Case("missing --data", 2, "--data is required", "--model", "ht"),
                new Case("bad number", 2, "whole number", "--data", elec2(), "--limit", "many"),
                new Case("no threads", 2, "--threads must be between 1 and 256", "--data", elec2(), "--threads", "0"),
                new Case("bad period", 2, "--period must be FROM,TO", "--data", elec2(), "--period", "2018-08-14,2018-08-08"),
                new Case("unknown features", 2, "unknown --features", "--data", elec2(), "--features", "credit"));
        for (Case c : cases) {
            Run run = eval(c.args);
            assertEquals(c.status, run.status, c.why + ": " + run.err);
            String first = run.err.lines().findFirst().orElse("");
            assertTrue(first.startsWith("vigie eval: ") && first.contains(c.expected), c.why + ": " + run.err);
            assertFalse(run.err.contains("\tat "), c.why + " printed a stack trace: " + run.err);
            assertTrue(run.err.lines().count() <= 2, c.why + ": more than the error and usage lines: " + run.err);
        }
    }
}
