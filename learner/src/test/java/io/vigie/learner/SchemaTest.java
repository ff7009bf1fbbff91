package io.vigie.learner;

import com.yahoo.labs.samoa.instances.Instance;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaTest {
    private final Schema schema = Schema.of(List.of(
            Feature.numeric("amount"),
            Feature.nominal("channel", List.of("web", "pos", "atm")),
            Feature.numeric("age").asOptional(),
            Feature.nominal("day", List.of("1", "2", "3")).asOptional()), "fraud", List.of("no", "yes"));

    @Test
    void header_hasFeaturesThenClass() {
        assertEquals(5, schema.header().numAttributes());
        assertEquals(4, schema.header().classIndex());
        assertEquals("channel", schema.header().attribute(1).name());
        assertEquals(2, schema.numClasses());
    }

    @Test
    void toInstance_encodesNumbersAndNominalValues() {
        Instance instance = schema.toInstance(Map.of("amount", 12.5, "channel", "pos", "age", 40, "day", 3));
        assertEquals(12.5, instance.value(0));
        assertEquals(1.0, instance.value(1), "pos is the second channel");
        assertEquals(40.0, instance.value(2));
        assertEquals(2.0, instance.value(3), "an integer reads as its text for a nominal feature");
        assertTrue(instance.classIsMissing());
    }

    @Test
    void toInstance_optionalFeaturesBecomeMissing() {
        Map<String, Object> values = new HashMap<>();
        values.put("amount", 1);
        values.put("channel", "web");
        values.put("age", null);
        values.put("day", "9");
        Instance instance = schema.toInstance(values);
        assertTrue(instance.isMissing(2));
        assertTrue(instance.isMissing(3), "an unknown value of an optional nominal feature is missing");
    }

    @Test
    void toInstance_rejectsWhatDoesNotFitAndNamesTheField() {
        SchemaException unknownValue = assertThrows(SchemaException.class,
                () -> schema.toInstance(Map.of("amount", 1, "channel", "phone")));
        assertEquals("channel", unknownValue.field());
        assertTrue(unknownValue.getMessage().contains("[web, pos, atm]"), unknownValue.getMessage());

        SchemaException wrongType = assertThrows(SchemaException.class,
                () -> schema.toInstance(Map.of("amount", "12", "channel", "web")));
        assertEquals("amount", wrongType.field());
        assertTrue(wrongType.getMessage().contains("expected a number"), wrongType.getMessage());

        assertEquals("channel", assertThrows(SchemaException.class, () -> schema.toInstance(Map.of("amount", 1))).field());
        assertEquals("colour", assertThrows(SchemaException.class,
                () -> schema.toInstance(Map.of("amount", 1, "channel", "web", "colour", "red"))).field());
        assertEquals("amount", assertThrows(SchemaException.class,
                () -> schema.toInstance(Map.of("amount", Double.NaN, "channel", "web"))).field());
        assertEquals("channel", assertThrows(SchemaException.class,
                () -> schema.toInstance(Map.of("amount", 1, "channel", 2.5))).field());
    }

    @Test
    void classIndexOf_rejectsUnknownClasses() {
        assertEquals(1, schema.classIndexOf("yes"));
        SchemaException e = assertThrows(SchemaException.class, () -> schema.classIndexOf("maybe"));
        assertEquals("fraud", e.field());
        assertTrue(e.getMessage().contains("[no, yes]"));
    }

    @Test
    void construction_rejectsInvalidSchemas() {
        assertThrows(SchemaException.class, () -> Schema.of(List.of(), "c", List.of("a", "b")));
        assertThrows(SchemaException.class, () -> Schema.of(List.of(Feature.numeric("x")), "c", List.of("a")));
        assertThrows(SchemaException.class, () -> Schema.of(List.of(Feature.numeric("x")), "c", List.of("a", "a")));
        assertThrows(SchemaException.class, () -> Schema.of(List.of(Feature.numeric("x"), Feature.numeric("x")), "c", List.of("a", "b")));
        assertThrows(SchemaException.class, () -> Schema.of(List.of(Feature.numeric("c")), "c", List.of("a", "b")));
        assertThrows(SchemaException.class, () -> Schema.of(List.of(Feature.numeric(" ")), "c", List.of("a", "b")));
        assertThrows(SchemaException.class, () -> Schema.of(List.of(Feature.nominal("x", List.of())), "c", List.of("a", "b")));
        assertThrows(SchemaException.class, () -> Schema.of(List.of(Feature.numeric("x\ty")), "c", List.of("a", "b")));
    }

    @Test
    void encode_roundTripsToAnEqualSchema() {
        Schema decoded = Schema.decode(schema.encode());
        assertEquals(schema, decoded);
        assertEquals(schema.fingerprint(), decoded.fingerprint());
        assertEquals(64, schema.fingerprint().length());
    }

    @Test
    void fromHeader_keepsAClassThatIsNotLast() {
        GeneratedStream agrawal = new GeneratedStream(1, 1, 1);
        Schema fromMoa = agrawal.schema();
        assertEquals(9, fromMoa.features().size());
        Schema decoded = Schema.decode(fromMoa.encode());
        assertEquals(fromMoa, decoded);
        assertNotEquals(schema.fingerprint(), fromMoa.fingerprint());
    }
}
