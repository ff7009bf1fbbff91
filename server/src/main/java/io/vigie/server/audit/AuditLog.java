package io.vigie.server.audit;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change made through the API, append-only: one JSON line per change with its sequence
 * number, time, the key's id (never the key), the role used, the action, the model and the
 * versions before and after. Each line is written and fsynced before the change is answered.
 * On open the file is read back; a line cut by a crash is dropped, as the model logs drop a torn
 * tail.
 */
public final class AuditLog implements Audit, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final String FILE = "audit.log";

    private final Path file;
    private final FileChannel channel;
    private final Clock clock;
    private final List<JsonObject> entries = new ArrayList<>();

    private AuditLog(Path file, FileChannel channel, Clock clock) {
        this.file = file;
        this.channel = channel;
        this.clock = clock;
    }

    /** Opens (or creates) the data dir's audit log, reading back what it holds. */
    public static AuditLog open(Path dataDir, Clock clock) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        AuditLog log = new AuditLog(file, channel, clock);
        try {
            log.readBack();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return log;
    }

    private void readBack() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int start = 0;
        long good = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
            try {
                entries.add(new JsonObject(line));
            } catch (DecodeException e) {
                throw new IOException(file + ": line " + (entries.size() + 1) + " is not JSON; the audit log was altered");
            }
            start = i + 1;
            good = start;
        }
        if (good < bytes.length) {
            LOG.warn("{}: dropping a torn last line ({} bytes) left by a crash", file, bytes.length - good);
            channel.truncate(good);
            channel.force(true);
        }
        channel.position(good);
    }

    @Override
    public synchronized JsonObject append(String keyId, String role, String action, String model, JsonObject details)
            throws IOException {
        JsonObject entry = new JsonObject()
                .put("seq", entries.size() + 1L)
                .put("at", Instant.ofEpochMilli(clock.millis()).toString())
                .put("key_id", keyId)
                .put("role", role)
                .put("action", action)
                .put("model", model)
                .put("details", details);
        ByteBuffer line = ByteBuffer.wrap((entry.encode() + "\n").getBytes(StandardCharsets.UTF_8));
        long end = channel.position();
        try {
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
        } catch (IOException e) {
            try {
                channel.truncate(end); // no half line for the next entry to follow (a full disk, say)
                channel.position(end);
            } catch (IOException ignored) {
                // the next open drops a torn last line; a torn line in the middle would be reported there
            }
            throw e;
        }
        entries.add(entry);
        return entry;
    }

    @Override
    public synchronized List<JsonObject> after(long seq, int limit) {
        int from = (int) Math.max(0, Math.min(seq, entries.size()));
        return List.copyOf(entries.subList(from, Math.min(entries.size(), from + limit)));
    }

    public synchronized long size() {
        return entries.size();
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
