package io.vigie.server;

import io.vertx.core.json.JsonObject;
import io.vigie.learner.AbstentionSettings;
import io.vigie.learner.Feature;
import io.vigie.learner.ModelSpec;
import io.vigie.learner.Schema;
import io.vigie.server.kafka.Topic;
import io.vigie.server.model.Models;
import io.vigie.server.model.WriterSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lists a newcomer extends are each read from one place, and every place that must mention
 * an entry does: a preset added to {@link ModelSpec#PRESETS} and a topic added to {@link Topic}
 * fail here until the OpenAPI document and the README name them.
 */
class ExtensionPointsTest {
    private static final Pattern PRESET_LIST = Pattern.compile("A preset \\(([^)]*)\\)");

    @Test
    void openApi_namesEveryPresetTheServiceCanServe_andNoOther() throws Exception {
        JsonObject doc = new JsonObject(new String(VigieServer.class.getResourceAsStream("/openapi.json").readAllBytes()));
        String description = doc.getJsonObject("components").getJsonObject("schemas").getJsonObject("ModelDefinition")
                .getJsonObject("properties").getJsonObject("model").getString("description");
        Matcher listed = PRESET_LIST.matcher(description);
        assertTrue(listed.find(), description);
        Set<String> documented = Arrays.stream(listed.group(1).split(",\\s*")).collect(Collectors.toCollection(TreeSet::new));

        Schema schema = Schema.of(List.of(Feature.numeric("x"), Feature.nominal("k", List.of("a", "b"))), "class", List.of("no", "yes"));
        Set<String> servable = new TreeSet<>();
        for (String preset : ModelSpec.PRESETS.keySet()) {
            try {
                Models.probe(new ModelSpec(preset, 1), schema, AbstentionSettings.DEFAULTS, WriterSettings.DEFAULTS.maxMembers());
                servable.add(preset);
            } catch (ApiProblem cannotBeServed) {
                assertEquals(422, cannotBeServed.status(), preset + ": " + cannotBeServed.getMessage());
            }
        }
        assertEquals(servable, documented, "the presets the OpenAPI document lists for 'model'");
    }

    @Test
    void readme_listsEveryKafkaTopicByItsDefaultName() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        for (Topic topic : Topic.values()) {
            assertTrue(readme.contains("`" + topic.defaultName() + "`"), topic + " (" + topic.defaultName() + ") is not in the README");
        }
    }
}
