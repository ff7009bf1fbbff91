package io.vigie.server;

import io.vigie.server.model.ModelDefinition;
import io.vigie.server.store.DataDirLock;
import io.vigie.server.store.EventLog;
import io.vigie.server.store.LogRepair;
import io.vigie.server.store.PendingEvents;
import io.vigie.server.store.PendingStore;

import io.vigie.server.wire.DefinitionJson;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code vigie repair --data-dir DIR --model NAME [--dry-run]}: goes on past damage in the middle
 * of a model's log, with the service stopped. The records that read are kept with their versions;
 * those that do not become "lost" records (their ids named where the bytes still tell them); the
 * log as it was is kept beside; snapshots taken after the damage (their log offsets moved) are set
 * aside; and the lost labels' events wait for their label again, so that it can be sent anew.
 */
public final class RepairCommand {
    private static final String USAGE = "usage: vigie repair --data-dir DIR --model NAME [--dry-run]";

    private RepairCommand() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = null;
        String model = null;
        boolean dryRun = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data-dir" -> dataDir = Path.of(value(args, ++i));
                case "--model" -> model = value(args, ++i);
                case "--dry-run" -> dryRun = true;
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> fail("unknown option " + args[i] + "\n" + USAGE, 2);
            }
        }
        if (dataDir == null || model == null) {
            fail(USAGE, 2);
        }
        Path modelDir = dataDir.resolve("models").resolve(model);
        Path single = modelDir.resolve(EventLog.SINGLE_FILE);
        Path segments = modelDir.resolve(EventLog.DIR);
        if (!Files.isRegularFile(single) && !Files.isDirectory(segments)) {
            fail("no model '" + model + "' with a log under " + dataDir, 1);
        }
        try (DataDirLock lock = DataDirLock.acquire(dataDir)) {
            long now = System.currentTimeMillis();
            // a log written before segments, never opened since, is repaired as the one file it is
            LogRepair.Report report = Files.isRegularFile(single) ? LogRepair.repair(single, now, dryRun)
                    : LogRepair.repairSegments(segments, now, dryRun);
            print(model, report, dryRun);
            if (dryRun || !report.changed()) {
                return;
            }
            if (!report.lostSeqs().isEmpty()) {
                int stale = setAsideSnapshotsAfter(modelDir, report.lostSeqs().get(0));
                System.out.println("snapshots taken after the damage, set aside (.stale): " + stale);
            }
            if (!report.lostIds().isEmpty()) {
                System.out.println("events waiting for their label again: " + unlabel(dataDir, model, report.lostIds()));
            }
            System.out.println("the log as it was: " + report.original().getFileName() + "; start the service again");
        } catch (IOException e) {
            fail(e.getMessage(), 1);
        }
    }

    private static void print(String model, LogRepair.Report report, boolean dryRun) {
        String verb = dryRun ? "would be" : "were";
        System.out.println("model '" + model + "': " + report.kept() + " records read whole");
        if (!report.changed()) {
            System.out.println("nothing to repair");
            return;
        }
        if (!report.lostSeqs().isEmpty()) {
            System.out.println("records that do not read, " + verb + " replaced by lost records: versions " + report.lostSeqs());
            System.out.println("their event ids, as far as their bytes tell: "
                    + (report.lostIds().isEmpty() ? "none readable" : report.lostIds()));
            System.out.println("send those labels again (or the events, as labelled events) once the service is back");
        }
        if (report.tornBytes() > 0) {
            System.out.println("a torn tail of " + report.tornBytes() + " bytes (never acknowledged) " + verb + " cut");
        }
    }

    /** Snapshots at or after the first lost version point at log offsets the repair moved. */
    private static int setAsideSnapshotsAfter(Path modelDir, long firstLost) throws IOException {
        int moved = 0;
        try (Stream<Path> files = Files.list(modelDir.resolve("versions"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".snapshot")).toList()) {
                long version = Long.parseLong(file.getFileName().toString().replace(".snapshot", ""));
                if (version >= firstLost) {
                    Files.move(file, file.resolveSibling(file.getFileName() + ".stale"), StandardCopyOption.REPLACE_EXISTING);
                    moved++;
                }
            }
        }
        return moved;
    }

    /** Takes back the labels of lost records on their stored events; every model's events are kept (long TTLs, none dropped). */
    private static int unlabel(Path dataDir, String model, List<String> ids) throws Exception {
        Map<String, Duration> keep = new HashMap<>();
        try (Stream<Path> dirs = Files.list(dataDir.resolve("models"))) {
            dirs.forEach(dir -> keep.put(dir.getFileName().toString(), Duration.ofDays(3650)));
        }
        try (PendingStore store = PendingStore.open(dataDir.resolve("pending"), keep, Clock.systemUTC())) {
            ModelDefinition.ImplicitLabel implicit = DefinitionJson.FILE.decode(Files.readAllBytes(dataDir.resolve("models").resolve(model)
                    .resolve("model.json"))).implicitLabel();
            PendingEvents events = store.forModel(model, keep.get(model), implicit == null ? null : implicit.after());
            return events.unlabel(ids);
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            fail(args[i - 1] + " needs a value\n" + USAGE, 2);
        }
        return args[i];
    }

    private static void fail(String message, int status) {
        System.err.println("vigie repair: " + message);
        System.exit(status);
    }
}
