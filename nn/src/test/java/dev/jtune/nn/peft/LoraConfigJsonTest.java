package dev.jtune.nn.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.ConfigJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** adapter_config.json: PEFT 0.20's keys, defaults and formatting, and what jtune refuses to load. */
class LoraConfigJsonTest {

    @TempDir
    Path dir;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    private Path fixture() {
        return SharedFixtures.file("fixtures/ref/lora-gpt2/adapter");
    }

    @Test
    void aConfigBuiltWithTheFixturesValuesIsWrittenByteForByteAsPeftWroteIt() throws Exception {
        LoraConfig c = LoraConfig.builder().r(4).loraAlpha(8).targetModules("c_attn", "c_proj", "c_fc")
                .fanInFanOut(true).inferenceMode(true).baseModelNameOrPath("../../../hf/tiny-gpt2/model").build();
        LoraConfigJson.write(c, dir);
        assertEquals(Files.readString(fixture().resolve("adapter_config.json")),
                Files.readString(dir.resolve("adapter_config.json")));
    }

    @Test
    void theDefaultConfigHasPeftsFortyOneKeysSortedWithoutATrailingNewline() throws Exception {
        LoraConfigJson.write(LoraConfig.builder().build(), dir);
        String text = Files.readString(dir.resolve("adapter_config.json"));
        assertFalse(text.endsWith("\n"));
        JsonNode ours = ConfigJson.MAPPER.readTree(text);
        JsonNode theirs = ConfigJson.MAPPER.readTree(fixture().resolve("adapter_config.json").toFile());
        List<String> keys = new ArrayList<>(), theirKeys = new ArrayList<>();
        ours.fieldNames().forEachRemaining(keys::add);
        theirs.fieldNames().forEachRemaining(theirKeys::add);
        assertEquals(41, keys.size());
        assertEquals(theirKeys, keys);
        assertEquals(8, ours.get("r").asInt());
        assertTrue(text.contains("\"lora_dropout\": 0.0,"));
        assertTrue(ours.get("target_modules").isNull());
    }

    @Test
    void theFixtureReadsBackToTheSameText() throws Exception {
        LoraConfig c = LoraConfigJson.read(fixture(), QUIET);
        assertEquals(4, c.r());
        assertEquals(2.0, c.scaling());
        assertEquals(List.of("c_attn", "c_proj", "c_fc"), c.targetModules().names());
        assertEquals(Files.readString(fixture().resolve("adapter_config.json")), LoraConfigJson.toText(c));
    }

    @Test
    void pythonFloatReprs() {
        assertEquals("0.0", PythonJson.floatRepr(0));
        assertEquals("0.05", PythonJson.floatRepr(0.05));
        assertEquals("1e-05", PythonJson.floatRepr(1e-5));
        assertEquals("0.0001", PythonJson.floatRepr(1e-4));
        assertEquals("16.0", PythonJson.floatRepr(16));
        assertEquals("1e+16", PythonJson.floatRepr(1e16));
        assertEquals("-2.5e-07", PythonJson.floatRepr(-2.5e-7));
    }

    @Test
    void rsloraScalesByTheSquareRootOfTheRank() {
        assertEquals(16 / Math.sqrt(4), LoraConfig.builder().r(4).loraAlpha(16).useRslora(true).build().scaling());
        assertEquals(4.0, LoraConfig.builder().r(4).loraAlpha(16).build().scaling());
    }

    private ObjectNode fixtureJson() throws Exception {
        return (ObjectNode) ConfigJson.MAPPER.readTree(fixture().resolve("adapter_config.json").toFile());
    }

    private String refusal(ObjectNode json) throws Exception {
        Files.writeString(dir.resolve("adapter_config.json"), json.toString());
        return assertThrows(IllegalArgumentException.class, () -> LoraConfigJson.read(dir, QUIET)).getMessage();
    }

    @Test
    void doraIsRefusedNamingTheFileAndKey() throws Exception {
        String m = refusal(fixtureJson().put("use_dora", true));
        assertTrue(m.contains("adapter_config.json") && m.contains("'use_dora'"), m);
    }

    @Test
    void anotherPeftTypeIsRefused() throws Exception {
        String m = refusal(fixtureJson().put("peft_type", "IA3"));
        assertTrue(m.contains("adapter_config.json") && m.contains("'peft_type'") && m.contains("IA3"), m);
    }

    @Test
    void biasVariantsAndRankPatternsAreRefused() throws Exception {
        assertTrue(refusal(fixtureJson().put("bias", "all")).contains("'bias'"));
        ObjectNode pattern = fixtureJson();
        pattern.putObject("rank_pattern").put("c_attn", 16);
        assertTrue(refusal(pattern).contains("'rank_pattern'"));
        assertTrue(refusal(fixtureJson().put("init_lora_weights", "pissa")).contains("'init_lora_weights'"));
        assertTrue(refusal(fixtureJson().put("r", "four")).contains("'r'"));
    }

    @Test
    void anUnknownKeyIsIgnoredWithAWarningNamingIt() throws Exception {
        Files.writeString(dir.resolve("adapter_config.json"), fixtureJson().put("use_magic", true).toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LoraConfig c = LoraConfigJson.read(dir, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(4, c.r());
        String warning = err.toString(StandardCharsets.UTF_8);
        assertTrue(warning.contains("'use_magic'") && warning.contains("adapter_config.json"), warning);
    }

    @Test
    void aStringTargetIsARegexAndMissingKeysTakePeftsDefaults() throws Exception {
        Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", \"target_modules\": \".*c_attn\"}");
        LoraConfig c = LoraConfigJson.read(dir, QUIET);
        assertEquals(".*c_attn", c.targetModules().pattern());
        assertEquals(8, c.r());
        assertEquals(1.0, c.scaling());
    }
}
