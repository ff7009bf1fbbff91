package io.vigie.datasets;

import io.vigie.learner.EventStream;
import io.vigie.learner.Feature;
import io.vigie.learner.LabelledEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvStreamTest {
    @TempDir
    Path tmp;

    private Path csv(String name, String... lines) throws IOException {
        Path file = tmp.resolve(name);
        Files.write(file, List.of(lines));
        return file;
    }

    private static EventStream open(Path file, String classColumn, String timeColumn, Set<String> drop) {
        return Streams.open(file.toString(), classColumn, timeColumn, drop, -1);
    }

    @Test
    void elec2Csv_readsLikeItsArff() {
        try (EventStream csv = Streams.open(SharedData.file("elec2.csv.gz").toString(), null, null, Set.of(), -1);
             EventStream arff = Streams.open(SharedData.file("elec2.arff.gz").toString(), null, null, Set.of(), -1)) {
            assertEquals(List.of("DOWN", "UP"), csv.schema().classes(), "CSV classes are sorted as text");
            assertEquals(List.of("UP", "DOWN"), arff.schema().classes(), "ARFF keeps its declared order");
            assertEquals(8, csv.schema().features().size());
            assertTrue(csv.schema().features().stream().noneMatch(Feature::isNominal), "day is numeric in the CSV");
            long events = 0;
            while (csv.hasNext()) {
                LabelledEvent c = csv.next();
                LabelledEvent a = arff.next();
                events++;
                for (int f : new int[]{0, 2, 3, 4, 5, 6, 7}) { // all but the nominal-in-ARFF day
                    assertEquals(a.instance().value(f), c.instance().value(f), "event " + events + " feature " + f);
                }
                String csvClass = csv.schema().classes().get((int) c.instance().classValue());
                String arffClass = arff.schema().classes().get((int) a.instance().classValue());
                assertEquals(arffClass, csvClass);
            }
            assertFalse(arff.hasNext());
            assertEquals(45_312, events);
        }
    }

    @Test
    void inference_followsTheDocumentedRule() throws IOException {
        Path file = csv("claims.csv", "amount,channel,age,label", "10.5,web,40,2", "3,pos,,10", "7,web,?,2", "1e2,atm,33,1");
        try (EventStream stream = open(file, null, null, Set.of())) {
            List<Feature> features = stream.schema().features();
            assertEquals(Feature.numeric("amount"), features.get(0));
            assertEquals(Feature.nominal("channel", List.of("atm", "pos", "web")), features.get(1));
            assertEquals(Feature.numeric("age").asOptional(), features.get(2), "a column with missing values is optional");
            assertEquals(List.of("1", "2", "10"), stream.schema().classes(), "numeric classes sort as numbers");
            LabelledEvent second = stream.next();
            second = stream.next();
            assertTrue(second.instance().isMissing(2));
            assertEquals(2.0, second.instance().classValue(), "class '10' is index 2");
        }
    }

    @Test
    void classAndDroppedColumnsAndTimes() throws IOException {
        Path file = csv("tx.csv", "id,when,amount,fraud,scenario", "1,2018-04-01T00:00:31,5,0,0", "2,2018-04-02,9,1,2");
        try (EventStream stream = open(file, "fraud", "when", Set.of("id", "scenario"))) {
            assertEquals(List.of("amount"), stream.schema().features().stream().map(Feature::name).toList());
            assertEquals("fraud", stream.schema().className());
            assertEquals(Instant.parse("2018-04-01T00:00:31Z").toEpochMilli(), stream.next().timeMillis());
            assertEquals(Instant.parse("2018-04-02T00:00:00Z").toEpochMilli(), stream.next().timeMillis());
        }
    }

    @Test
    void badFiles_failWithTheLineAndColumnNamed() throws IOException {
        DataException fields = assertThrows(DataException.class, () -> open(csv("a.csv", "x,y", "1,a", "2"), null, null, Set.of()));
        assertTrue(fields.getMessage().contains("line 3") && fields.getMessage().contains("1 fields"), fields.getMessage());

        DataException column = assertThrows(DataException.class, () -> open(csv("b.csv", "x,y", "1,a"), "z", null, Set.of()));
        assertTrue(column.getMessage().contains("no column named 'z'"), column.getMessage());

        DataException missingClass = assertThrows(DataException.class, () -> open(csv("c.csv", "x,y", "1,a", "2,"), null, null, Set.of()));
        assertTrue(missingClass.getMessage().contains("line 3") && missingClass.getMessage().contains("missing"), missingClass.getMessage());

        assertTrue(assertThrows(DataException.class, () -> open(csv("d.csv"), null, null, Set.of())).getMessage().contains("empty"));
        assertTrue(assertThrows(DataException.class, () -> open(csv("e.csv", "x,y"), null, null, Set.of())).getMessage().contains("no data rows"));
        assertTrue(assertThrows(DataException.class, () -> open(tmp.resolve("absent.csv"), null, null, Set.of())).getMessage().contains("no such file"));

        String[] rows = new String[1003];
        rows[0] = "key,label";
        for (int i = 1; i < rows.length; i++) {
            rows[i] = "k" + i + "," + (i % 2);
        }
        DataException identifiers = assertThrows(DataException.class, () -> open(csv("f.csv", rows), null, null, Set.of()));
        assertTrue(identifiers.getMessage().contains("--drop key"), identifiers.getMessage());

        Path badTime = csv("g.csv", "t,x,y", "yesterday,1,a", "today,2,b");
        DataException time = assertThrows(DataException.class, () -> open(badTime, null, "t", Set.of()).next());
        assertTrue(time.getMessage().contains("ISO-8601"), time.getMessage());
    }

    @Test
    void truncatedArchive_isADataError() throws IOException {
        byte[] gz = Files.readAllBytes(SharedData.file("elec2.csv.gz"));
        Path cut = tmp.resolve("cut.csv.gz");
        Files.write(cut, java.util.Arrays.copyOf(gz, gz.length / 3));
        DataException e = assertThrows(DataException.class, () -> {
            try (EventStream stream = open(cut, null, null, Set.of())) {
                while (stream.hasNext()) {
                    stream.next();
                }
            }
        });
        assertTrue(e.getMessage().contains("cut.csv.gz"), e.getMessage());
    }
}
