package io.vigie.datasets;

import io.vigie.learner.EventStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArffStreamTest {
    @TempDir
    Path tmp;

    @Test
    void gmsc_readsMissingValuesAndEveryRow() {
        try (EventStream stream = Streams.open(SharedData.file("gmsc.arff.gz").toString(), null, null, Set.of(), -1)) {
            assertEquals("isFraud", stream.schema().className());
            assertEquals(List.of("0", "1"), stream.schema().classes());
            long events = 0;
            long missingIncome = 0;
            while (stream.hasNext()) {
                missingIncome += stream.next().instance().isMissing(4) ? 1 : 0;
                events++;
            }
            assertEquals(150_000, events);
            assertEquals(29_731, missingIncome, "MonthlyIncome is missing in 29,731 rows (MANIFEST.md)");
        }
    }

    @Test
    void classByName_andUnknownClass() {
        String elec2 = SharedData.file("elec2.arff.gz").toString();
        try (EventStream stream = Streams.open(elec2, "day", null, Set.of(), 10)) {
            assertEquals(List.of("1", "2", "3", "4", "5", "6", "7"), stream.schema().classes());
        }
        DataException e = assertThrows(DataException.class, () -> Streams.open(elec2, "price", null, Set.of(), -1));
        assertTrue(e.getMessage().contains("no attribute named 'price'"), e.getMessage());
    }

    @Test
    void truncatedArchive_isADataError() throws IOException {
        byte[] gz = Files.readAllBytes(SharedData.file("elec2.arff.gz"));
        Path cut = tmp.resolve("cut.arff.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        DataException e = assertThrows(DataException.class, () -> {
            try (EventStream stream = Streams.open(cut.toString(), null, null, Set.of(), -1)) {
                while (stream.hasNext()) {
                    stream.next();
                }
            }
        });
        assertTrue(e.getMessage().contains("cut.arff.gz"), e.getMessage());
    }

    @Test
    void notArff_isADataError() throws IOException {
        Path junk = tmp.resolve("junk.arff");
        Files.writeString(junk, "this is not,an arff file\n1,2\n");
        assertThrows(DataException.class, () -> Streams.open(junk.toString(), null, null, Set.of(), -1));
    }
}
