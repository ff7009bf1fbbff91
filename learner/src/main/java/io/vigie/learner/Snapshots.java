package io.vigie.learner;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Writes and reads snapshot files: a model (learner, conformal calibration, abstention settings)
 * with its schema, spec, counters, provenance and, optionally, state its owner keeps beside it
 * (the service keeps its serving metrics there).
 *
 * <p>Layout (big-endian): the 8-byte magic {@code VIGIESNP}, an int format version, then the
 * body — spec model, seed, encoded schema, learned count, provenance attributes, and the
 * Java-serialized model and owner state (MOA classifiers inside) — and last a CRC32C of
 * everything before it. Format 1 held a learner alone; it still reads, with default abstention
 * settings. A file is written to a temporary name, forced to disk and renamed, so a crash leaves
 * the old snapshot or the new one, never half of one. On reading, the checksum is verified
 * before a single model byte is deserialized, and deserialization is bounded ({@link #filter}):
 * it admits only Vigie's, MOA's and Weka's classes and the few JDK classes models hold (no
 * {@code HashSet}, the classic nested-set bomb), arrays in proportion to the bytes that fill them
 * (a forged length cannot allocate gigabytes), and no object graph deeper than {@link #MAX_DEPTH}.
 */
public final class Snapshots {
    /** Bumped whenever the layout changes; readers refuse versions newer than theirs. */
    public static final int FORMAT_VERSION = 2;
    private static final byte[] MAGIC = "VIGIESNP".getBytes(StandardCharsets.US_ASCII);
    /**
     * The deepest object graph read. Models measured here reach 82 (the committee after Elec2's
     * 45,312 events); a bound keeps a crafted file from overflowing the stack.
     */
    static final int MAX_DEPTH = 500;
    /**
     * Arrays are allocated before their elements are read, so a forged length would allocate
     * gigabytes from a few bytes. A real array's elements are in the stream (a map's table is at
     * most about 1.4 slots per byte of its entries, 8 bytes a slot): all the arrays of a snapshot
     * may take 32 bytes per byte of it, and a megabyte more.
     */
    private static final long ARRAY_BYTES_PER_STREAM_BYTE = 32;
    private static final Set<String> MODEL_PACKAGES = Set.of("io.vigie.", "moa.", "com.yahoo.labs.samoa.", "weka.",
            "com.github.javacliparser.");
    /** The JDK classes the models hold, as measured on every preset's snapshots. */
    private static final Set<Class<?>> JDK_CLASSES = Set.of(Object.class, Number.class, Enum.class, String.class, Integer.class,
            Long.class, Double.class, Float.class, Short.class, Byte.class, Boolean.class, Character.class,
            java.util.ArrayList.class, java.util.LinkedList.class, java.util.ArrayDeque.class, java.util.HashMap.class,
            java.util.Random.class, java.util.Map.Entry.class, classNamed("java.util.CollSer"),
            classNamed("java.util.ImmutableCollections$List12"), classNamed("java.util.ImmutableCollections$ListN"));

    private Snapshots() {
    }

    /** Writes a snapshot of a learner alone (default abstention settings) atomically. */
    public static SnapshotProvenance write(Path file, Learner learner, Map<String, String> attributes, Clock clock) {
        return write(file, new Model(learner, AbstentionSettings.DEFAULTS), null, attributes, clock);
    }

    /** Writes a snapshot of a model and its owner's state atomically, and returns its provenance. */
    public static SnapshotProvenance write(Path file, Model model, Serializable state, Map<String, String> attributes,
                                           Clock clock) {
        SnapshotProvenance provenance = provenance(model, attributes, clock);
        save(file, encode(model, state, provenance));
        return provenance;
    }

    /** What a snapshot of this model, taken now, says about where it came from. */
    public static SnapshotProvenance provenance(Model model, Map<String, String> attributes, Clock clock) {
        Learner learner = model.learner();
        return new SnapshotProvenance(learner.spec(), learner.schema().fingerprint(), learner.learned(),
                clock.instant(), vigieVersion(), System.getProperty("java.version"), attributes);
    }

    /**
     * The bytes of a snapshot file. Split from {@link #save} so that the owner of a model can
     * serialize it on its own thread and leave the disk work to another.
     */
    public static byte[] encode(Model model, Serializable state, SnapshotProvenance provenance) {
        byte[] body = serialize(model, state);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
            writeString(out, provenance.spec().model());
            out.writeInt(provenance.spec().seed());
            writeString(out, model.learner().schema().encode());
            out.writeLong(provenance.learned());
            out.writeLong(provenance.createdAt().toEpochMilli());
            writeString(out, provenance.vigieVersion());
            writeString(out, provenance.javaVersion());
            Map<String, String> sorted = new TreeMap<>(provenance.attributes());
            out.writeInt(sorted.size());
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            out.writeInt(body.length);
            out.write(body);
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeLong(crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads a snapshot written by {@link #write}.
     *
     * @throws SnapshotException if the file is missing, not a snapshot, of a newer format,
     *                           truncated, or fails its checksum
     */
    public static Snapshot read(Path file) {
        return parse(file, true);
    }

    /**
     * What a snapshot file says about its model, checksum verified, without deserializing the
     * model: cheap enough to list many large snapshots.
     *
     * @throws SnapshotException as {@link #read} does
     */
    public static SnapshotProvenance readProvenance(Path file) {
        return parse(file, false).provenance();
    }

    /**
     * Reads a snapshot from its bytes, as {@link #read} reads a file: the model of a snapshot that
     * was just encoded, to check it reads back.
     */
    public static Snapshot decode(byte[] bytes) {
        return parse("in memory", bytes, true);
    }

    /** What a snapshot's bytes say about its model, checksum verified, without deserializing the model. */
    public static SnapshotProvenance decodeProvenance(byte[] bytes) {
        return parse("in memory", bytes, false).provenance();
    }

    private static Snapshot parse(Path file, boolean withModel) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SnapshotException("snapshot " + file + " does not exist");
        } catch (IOException e) {
            throw new SnapshotException("snapshot " + file + " cannot be read: " + e.getMessage(), e);
        }
        return parse(file.toString(), bytes, withModel);
    }

    private static Snapshot parse(String file, byte[] bytes, boolean withModel) {
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new SnapshotException(file + " is not a Vigie snapshot (it does not start with VIGIESNP)");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            in.skipNBytes(MAGIC.length);
            int version = in.readInt();
            if (version > FORMAT_VERSION || version < 1) {
                throw new SnapshotException("snapshot " + file + " has format version " + version
                        + "; this build reads versions 1.." + FORMAT_VERSION);
            }
            ModelSpec spec = new ModelSpec(readString(in), in.readInt());
            Schema schema = Schema.decode(readString(in));
            long learned = in.readLong();
            Instant createdAt = Instant.ofEpochMilli(in.readLong());
            String vigieVersion = readString(in);
            String javaVersion = readString(in);
            int count = in.readInt();
            Map<String, String> attributes = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                attributes.put(readString(in), readString(in));
            }
            byte[] model = in.readNBytes(checkedLength(in.readInt(), in.available()));
            int checked = bytes.length - in.available();
            long expected = in.readLong();
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, checked);
            if (crc.getValue() != expected) {
                throw new SnapshotException("snapshot " + file + " is corrupt: checksum mismatch");
            }
            if (in.available() != 0) {
                throw new SnapshotException("snapshot " + file + " is corrupt: " + in.available() + " bytes after the checksum");
            }
            SnapshotProvenance provenance = new SnapshotProvenance(spec, schema.fingerprint(), learned, createdAt,
                    vigieVersion, javaVersion, attributes);
            if (!withModel) {
                return new Snapshot(null, provenance, null);
            }
            Object[] restored = deserialize(model, version);
            Model restoredModel = (Model) restored[0];
            Learner learner = restoredModel.learner();
            if (!learner.schema().equals(schema) || !learner.spec().equals(spec) || learner.learned() != learned) {
                throw new SnapshotException("snapshot " + file + " is corrupt: its model disagrees with its header");
            }
            return new Snapshot(restoredModel, provenance, restored[1]);
        } catch (EOFException e) {
            throw new SnapshotException("snapshot " + file + " is truncated (" + bytes.length + " bytes)");
        } catch (IOException | LearnerException | IllegalArgumentException e) {
            if (e instanceof SnapshotException s) {
                throw s;
            }
            throw new SnapshotException("snapshot " + file + " is corrupt: " + e.getMessage(), e);
        }
    }

    /**
     * The number of bytes an object takes when serialized, as a snapshot stores a model, or -1 if
     * some part of it cannot be serialized (MOA's StreamingRandomPatches, for one).
     */
    static long serializedSize(Object model) {
        CountingStream counter = new CountingStream();
        try (ObjectOutputStream out = new ObjectOutputStream(counter)) {
            out.writeObject(model);
        } catch (NotSerializableException e) {
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counter.count;
    }

    private static byte[] serialize(Model model, Serializable state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(model);
            out.writeObject(state);
        } catch (NotSerializableException e) {
            throw new SnapshotException("the model '" + model.learner().spec().model() + "' cannot be snapshotted: "
                    + e.getMessage() + " is not serializable");
        } catch (IOException e) {
            throw new UncheckedIOException("the model could not be serialized", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Deserialization recurses a few frames per level of the object graph: it runs on a thread of
     * its own with a stack that holds {@link #MAX_DEPTH} levels whatever the caller's, so that a
     * graph too deep is refused by the filter rather than overflowing the stack first (which a cold
     * JVM, its frames still interpreted, did at about 500 levels).
     */
    private static final long READ_STACK_BYTES = 64L << 20;

    /** The model and the owner's state (null if none); format 1 held a learner alone. */
    private static Object[] deserialize(byte[] body, int format) throws IOException {
        Object[][] read = new Object[1][];
        Throwable[] failed = new Throwable[1];
        Thread reader = new Thread(null, () -> {
            try {
                read[0] = deserializeHere(body, format);
            } catch (Throwable e) {
                failed[0] = e;
            }
        }, "vigie-snapshot-read", READ_STACK_BYTES);
        reader.start();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading a snapshot");
        }
        if (failed[0] instanceof IOException e) {
            throw e;
        } else if (failed[0] instanceof RuntimeException e) {
            throw e;
        } else if (failed[0] instanceof Error e) {
            throw e;
        }
        return read[0];
    }

    private static Object[] deserializeHere(byte[] body, int format) throws IOException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(body))) {
            in.setObjectInputFilter(filter(body.length));
            if (format == 1) {
                return new Object[]{new Model((Learner) in.readObject(), AbstentionSettings.DEFAULTS), null};
            }
            return new Object[]{(Model) in.readObject(), in.readObject()};
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new IOException("the model bytes hold no Vigie model (" + e.getMessage() + ")", e);
        }
    }

    /** The bounds of reading a model's {@code length} serialized bytes (see the class comment). */
    static ObjectInputFilter filter(long length) {
        long[] allocated = {0};
        return info -> {
            if (info.depth() > MAX_DEPTH || info.streamBytes() > length || info.references() > length) {
                return ObjectInputFilter.Status.REJECTED;
            }
            Class<?> type = info.serialClass();
            if (info.arrayLength() >= 0 && type != null) {
                allocated[0] += info.arrayLength() * elementBytes(type.getComponentType());
                if (allocated[0] > ARRAY_BYTES_PER_STREAM_BYTE * length + (1 << 20)) {
                    return ObjectInputFilter.Status.REJECTED; // arrays far larger than the bytes that could fill them
                }
            }
            while (type != null && type.isArray()) {
                type = type.getComponentType();
            }
            if (type == null || type.isPrimitive()) {
                return ObjectInputFilter.Status.ALLOWED;
            }
            String name = type.getName();
            boolean allowed = JDK_CLASSES.contains(type) || MODEL_PACKAGES.stream().anyMatch(name::startsWith);
            return allowed ? ObjectInputFilter.Status.ALLOWED : ObjectInputFilter.Status.REJECTED;
        };
    }

    private static long elementBytes(Class<?> component) {
        if (component == long.class || component == double.class || !component.isPrimitive()) {
            return 8;
        }
        return component == int.class || component == float.class ? 4 : component == short.class || component == char.class ? 2 : 1;
    }

    private static Class<?> classNamed(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this JDK lacks " + name, e);
        }
    }

    private static int checkedLength(int length, int available) throws EOFException {
        if (length < 0 || length > available) {
            throw new EOFException();
        }
        return length;
    }

    private static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        return new String(in.readNBytes(checkedLength(in.readInt(), in.available())), StandardCharsets.UTF_8);
    }

    /**
     * Writes bytes to a file atomically (temporary file, fsync, rename): a crash leaves the old file
     * or the new one. Snapshots and the service's small state files (model.json, keys.json) use it.
     */
    public static void save(Path file, byte[] bytes) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // a full disk: give back what the half-written copy took
            } catch (IOException ignored) {
                // nothing more to free
            }
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String vigieVersion() {
        String version = Snapshots.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** Counts bytes without keeping them, to size a model. */
    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

}
