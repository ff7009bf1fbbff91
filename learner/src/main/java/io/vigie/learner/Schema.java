package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Attribute;
import com.yahoo.labs.samoa.instances.DenseInstance;
import com.yahoo.labs.samoa.instances.Instance;
import com.yahoo.labs.samoa.instances.Instances;
import com.yahoo.labs.samoa.instances.InstancesHeader;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The names and types of an event's features and of its class. A schema is validated when it
 * is built, builds MOA's {@link InstancesHeader} once, and turns a feature map into an MOA
 * instance, rejecting what does not fit with a {@link SchemaException} that names the field.
 */
public final class Schema implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String ENCODING_VERSION = "vigie-schema 1";

    private final List<Feature> features;
    private final String className;
    private final List<String> classes;
    /** Position of the class among MOA's attributes; features fill the other positions in order. */
    private final int classAttribute;
    private final InstancesHeader header;
    private final Map<String, Integer> featureIndex = new HashMap<>();
    private final Map<String, Integer> classIndex = new HashMap<>();
    private final List<Map<String, Integer>> nominalIndex = new ArrayList<>();

    private Schema(List<Feature> features, String className, List<String> classes, int classAttribute) {
        this.features = List.copyOf(features);
        this.className = className;
        this.classes = List.copyOf(classes);
        this.classAttribute = classAttribute;
        validate();
        for (int i = 0; i < this.features.size(); i++) {
            Feature feature = this.features.get(i);
            featureIndex.put(feature.name(), i);
            Map<String, Integer> values = new HashMap<>();
            for (int v = 0; v < feature.values().size(); v++) {
                values.put(feature.values().get(v), v);
            }
            nominalIndex.add(values);
        }
        for (int c = 0; c < this.classes.size(); c++) {
            classIndex.put(this.classes.get(c), c);
        }
        this.header = buildHeader();
    }

    /** A schema whose class comes after all features, as in most ARFF and CSV files. */
    public static Schema of(List<Feature> features, String className, List<String> classes) {
        return new Schema(features, className, classes, features.size());
    }

    /** The schema of an MOA header, for example one read from an ARFF file. */
    public static Schema fromHeader(InstancesHeader header) {
        List<Feature> features = new ArrayList<>();
        int classAttr = header.classIndex();
        for (int a = 0; a < header.numAttributes(); a++) {
            if (a == classAttr) {
                continue;
            }
            Attribute attribute = header.attribute(a);
            features.add(attribute.isNominal()
                    ? Feature.nominal(attribute.name(), attribute.getAttributeValues())
                    : Feature.numeric(attribute.name()));
        }
        Attribute cls = header.attribute(classAttr);
        if (!cls.isNominal()) {
            throw new SchemaException(cls.name(), "the class must be nominal; it is numeric");
        }
        return new Schema(features, cls.name(), cls.getAttributeValues(), classAttr);
    }

    private void validate() {
        if (features.isEmpty()) {
            throw new SchemaException(null, "a schema needs at least one feature");
        }
        if (classes.size() < 2) {
            throw new SchemaException(className, "a class needs at least two values, got " + classes);
        }
        requireName(className);
        requireDistinct(className, classes);
        LinkedHashSet<String> names = new LinkedHashSet<>();
        names.add(className);
        for (Feature feature : features) {
            requireName(feature.name());
            if (!names.add(feature.name())) {
                throw new SchemaException(feature.name(), "the name is used twice (features and class share one namespace)");
            }
            if (feature.isNominal()) {
                if (feature.values().isEmpty()) {
                    throw new SchemaException(feature.name(), "a nominal feature needs at least one value");
                }
                requireDistinct(feature.name(), feature.values());
            }
        }
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new SchemaException(null, "feature and class names must not be blank");
        }
        if (name.indexOf('\t') >= 0 || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0) {
            throw new SchemaException(name, "names must not contain tabs or line breaks");
        }
    }

    private static void requireDistinct(String field, List<String> values) {
        LinkedHashSet<String> seen = new LinkedHashSet<>();
        for (String value : values) {
            requireName(value);
            if (!seen.add(value)) {
                throw new SchemaException(field, "the value '" + value + "' is listed twice");
            }
        }
    }

    private InstancesHeader buildHeader() {
        List<Attribute> attributes = new ArrayList<>();
        for (int f = 0; f < features.size(); f++) {
            if (f == classAttribute) {
                attributes.add(new Attribute(className, classes));
            }
            Feature feature = features.get(f);
            attributes.add(feature.isNominal() ? new Attribute(feature.name(), feature.values()) : new Attribute(feature.name()));
        }
        if (classAttribute == features.size()) {
            attributes.add(new Attribute(className, classes));
        }
        Instances instances = new Instances("vigie", attributes, 0);
        instances.setClassIndex(classAttribute);
        return new InstancesHeader(instances);
    }

    public List<Feature> features() {
        return features;
    }

    public String className() {
        return className;
    }

    /** The class's position among the attribute values of {@code Instance.toDoubleArray()}. */
    public int classAttribute() {
        return classAttribute;
    }

    public List<String> classes() {
        return classes;
    }

    public int numClasses() {
        return classes.size();
    }

    /** MOA's header for this schema, built once. */
    public InstancesHeader header() {
        return header;
    }

    /** The index of a class value; unknown values are a {@link SchemaException}. */
    public int classIndexOf(String label) {
        Integer index = classIndex.get(label);
        if (index == null) {
            throw new SchemaException(className, "unknown class '" + SchemaException.shown(label) + "', valid classes: " + classes);
        }
        return index;
    }

    /**
     * Builds an unlabelled MOA instance from named values: numbers for numeric features,
     * strings (or integers, read as their decimal text) for nominal ones. A null or absent
     * value, or an unknown nominal value, is MOA's missing value if the feature is optional
     * and an error otherwise; a name the schema does not know is always an error.
     */
    public Instance toInstance(Map<String, ?> values) {
        return toInstance(values, null);
    }

    /**
     * As {@link #toInstance(Map)}, except that with {@code unknownCategory} a nominal value the
     * schema does not know (a new merchant category) is MOA's missing value, and the feature's
     * index is passed to it, rather than an error: a tree routes a missing value as it would an
     * unseen one, and the event is still scored. Null: an unknown value is an error, as above.
     */
    public Instance toInstance(Map<String, ?> values, java.util.function.IntConsumer unknownCategory) {
        double[] row = new double[features.size() + 1];
        row[classAttribute] = Double.NaN;
        int seen = 0;
        for (int f = 0; f < features.size(); f++) {
            Feature feature = features.get(f);
            Object value = values.get(feature.name());
            if (value != null || values.containsKey(feature.name())) {
                seen++;
            }
            row[attributeOf(f)] = value == null ? missing(feature, "is missing") : encode(f, feature, value, unknownCategory);
        }
        if (seen != values.size()) {
            for (String name : values.keySet()) {
                if (!featureIndex.containsKey(name)) {
                    throw new SchemaException(name, "unknown feature, valid features: " + featureNames());
                }
            }
        }
        Instance instance = new DenseInstance(1.0, row);
        instance.setDataset(header);
        return instance;
    }

    /** A copy of an instance carrying the given class index as its label. */
    public Instance withLabel(Instance unlabelled, int label) {
        if (label < 0 || label >= classes.size()) {
            throw new SchemaException(className, "class index " + label + " is outside 0.." + (classes.size() - 1));
        }
        Instance labelled = unlabelled.copy();
        labelled.setClassValue(label);
        return labelled;
    }

    /** A copy of an instance with its class value missing, as a model sees an event it scores. */
    public Instance withoutLabel(Instance labelled) {
        Instance unlabelled = labelled.copy();
        unlabelled.setMissing(unlabelled.classIndex());
        return unlabelled;
    }

    /**
     * Rebuilds an instance from its attribute values as {@code Instance.toDoubleArray()} gave
     * them (class slot included), so a stored event is learned exactly as it was scored.
     */
    public Instance instance(double[] values) {
        if (values.length != features.size() + 1) {
            throw new SchemaException(null, "expected " + (features.size() + 1) + " values, got " + values.length);
        }
        Instance instance = new DenseInstance(1.0, values.clone());
        instance.setDataset(header);
        return instance;
    }

    /**
     * An instance's feature values by name, as an event would carry them: numbers for numeric
     * features, value names for nominal ones, null for missing values.
     */
    public Map<String, Object> namedValues(double[] values) {
        Map<String, Object> named = new java.util.LinkedHashMap<>();
        for (int f = 0; f < features.size(); f++) {
            Feature feature = features.get(f);
            double v = values[attributeOf(f)];
            named.put(feature.name(), Double.isNaN(v) ? null : feature.isNominal() ? feature.values().get((int) v) : (Object) v);
        }
        return named;
    }

    /** A feature's position among the attribute values of an instance (the class may sit before it). */
    public int attributeOf(int feature) {
        return feature < classAttribute ? feature : feature + 1;
    }

    private double encode(int f, Feature feature, Object value, java.util.function.IntConsumer unknownCategory) {
        if (feature.isNominal()) {
            String text = nominalText(value);
            if (text == null) {
                throw new SchemaException(feature.name(), "expected one of " + feature.values() + ", got " + describe(value));
            }
            Integer index = nominalIndex.get(f).get(text);
            if (index == null && unknownCategory != null) {
                unknownCategory.accept(f);
                return Double.NaN;
            }
            return index != null ? index : missing(feature, "unknown value '" + SchemaException.shown(text) + "', valid values: " + feature.values());
        }
        if (value instanceof Number number) {
            double d = number.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return missing(feature, "is not a finite number: " + d);
            }
            return d;
        }
        throw new SchemaException(feature.name(), "expected a number, got " + describe(value));
    }

    private static String nominalText(Object value) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return value.toString();
        }
        return null;
    }

    private static double missing(Feature feature, String problem) {
        if (feature.optional()) {
            return Double.NaN;
        }
        throw new SchemaException(feature.name(), problem);
    }

    private static String describe(Object value) {
        return value instanceof String s ? "the text \"" + SchemaException.shown(s) + "\""
                : value.getClass().getSimpleName().toLowerCase() + " " + SchemaException.shown(String.valueOf(value));
    }

    private List<String> featureNames() {
        return features.stream().map(Feature::name).toList();
    }

    /**
     * A line-oriented text form that {@link #decode} reads back into an equal schema; it is what
     * snapshots store, so it never depends on Java serialization.
     */
    public String encode() {
        StringBuilder out = new StringBuilder(ENCODING_VERSION).append('\n');
        out.append("class\t").append(classAttribute).append('\t').append(className);
        classes.forEach(c -> out.append('\t').append(c));
        out.append('\n');
        for (Feature feature : features) {
            out.append(feature.isNominal() ? "nominal" : "numeric").append(feature.optional() ? "?" : "")
                    .append('\t').append(feature.name());
            feature.values().forEach(v -> out.append('\t').append(v));
            out.append('\n');
        }
        return out.toString();
    }

    /** Reads the text written by {@link #encode}. */
    public static Schema decode(String text) {
        String[] lines = text.split("\n");
        if (lines.length < 3 || !lines[0].equals(ENCODING_VERSION)) {
            throw new SchemaException(null, "not an encoded schema (expected '" + ENCODING_VERSION + "' first)");
        }
        String[] cls = lines[1].split("\t", -1);
        if (cls.length < 4 || !cls[0].equals("class")) {
            throw new SchemaException(null, "the encoded schema has no class line");
        }
        List<Feature> features = new ArrayList<>();
        for (int i = 2; i < lines.length; i++) {
            String[] parts = lines[i].split("\t", -1);
            boolean optional = parts[0].endsWith("?");
            String kind = optional ? parts[0].substring(0, parts[0].length() - 1) : parts[0];
            Feature feature = switch (kind) {
                case "numeric" -> Feature.numeric(parts[1]);
                case "nominal" -> Feature.nominal(parts[1], List.of(parts).subList(2, parts.length));
                default -> throw new SchemaException(null, "unknown feature kind '" + kind + "' in encoded schema");
            };
            features.add(optional ? feature.asOptional() : feature);
        }
        return new Schema(features, cls[2], List.of(cls).subList(3, cls.length), Integer.parseInt(cls[1]));
    }

    /** SHA-256 of {@link #encode()}, in hex: names a schema in provenance records. */
    public String fingerprint() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(encode().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema other && classAttribute == other.classAttribute && features.equals(other.features)
                && className.equals(other.className) && classes.equals(other.classes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(features, className, classes, classAttribute);
    }

    @Override
    public String toString() {
        return "Schema" + featureNames() + " -> " + className + classes;
    }
}
