package dev.jtune.nn.peft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.ConfigJson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code adapter_config.json} as PEFT 0.20 reads and writes it for a {@code LoraConfig}. Written: every one of PEFT's
 * 41 keys, sorted, indented by 2, no trailing newline, options jtune does not model at PEFT's defaults. Read: missing
 * keys take PEFT's defaults, unknown keys are dropped with a warning (as PEFT does), and an option jtune does not
 * implement set to anything but its default (DoRA, bias variants, rank patterns, ...) fails naming the file and key.
 */
public final class LoraConfigJson {

    /** The file name PEFT uses. */
    public static final String FILE = "adapter_config.json";

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Keys whose value jtune keeps in {@link LoraConfig}, checked and converted by {@link #read}. */
    private static final List<String> MODELED = List.of("base_model_name_or_path", "bias", "exclude_modules",
            "fan_in_fan_out", "inference_mode", "init_lora_weights", "lora_alpha", "lora_dropout", "modules_to_save",
            "peft_type", "peft_version", "r", "revision", "target_modules", "task_type", "use_rslora");

    /** Keys jtune neither models nor needs (informational or inert without their option): any value is accepted. */
    private static final Map<String, JsonNode> INERT = Map.of("auto_mapping", F.nullNode(),
            "megatron_core", F.textNode("megatron.core"), "qalora_group_size", F.numberNode(16));

    /** Options jtune does not implement: accepted only at PEFT's default, written as that default. */
    private static final Map<String, JsonNode> UNSUPPORTED = unsupported();

    private static Map<String, JsonNode> unsupported() {
        Map<String, JsonNode> m = new LinkedHashMap<>();
        for (String k : List.of("alora_invocation_tokens", "arrow_config", "corda_config", "eva_config", "kasa_config",
                "layer_replication", "layers_pattern", "layers_to_transform", "lora_ga_config", "megatron_config",
                "monteclora_config", "target_parameters", "trainable_token_indices", "use_bdlora", "velora_config")) {
            m.put(k, F.nullNode());
        }
        for (String k : List.of("alpha_pattern", "loftq_config", "rank_pattern")) m.put(k, F.objectNode());
        for (String k : List.of("ensure_weight_tying", "lora_bias", "use_dora", "use_qalora")) m.put(k, F.booleanNode(false));
        return m;
    }

    private LoraConfigJson() {}

    /** Reads {@code dir/adapter_config.json}, warning about unknown keys on stderr. */
    public static LoraConfig read(Path dir) throws IOException {
        return read(dir, System.err);
    }

    /** Reads {@code dir/adapter_config.json}, warning about unknown keys on {@code warnings}. */
    public static LoraConfig read(Path dir, PrintStream warnings) throws IOException {
        Path file = dir.resolve(FILE);
        JsonNode root;
        try {
            root = ConfigJson.MAPPER.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new NoSuchFileException(file + ": no " + FILE + " in the adapter folder");
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IOException(file + ": must hold a JSON object");
        return parse((ObjectNode) root, file.toString(), warnings);
    }

    /** The configuration in {@code json}; {@code source} names the file in messages. */
    static LoraConfig parse(ObjectNode json, String source, PrintStream warnings) {
        Fields f = new Fields(json, source);
        String peftType = f.string("peft_type", "LORA");
        if (!"LORA".equals(peftType)) {
            throw f.error("peft_type", "unsupported peft_type '" + peftType + "' (jtune supports LORA)");
        }
        json.fieldNames().forEachRemaining(key -> {
            if (MODELED.contains(key) || INERT.containsKey(key)) return;
            JsonNode dflt = UNSUPPORTED.get(key);
            if (dflt == null) {
                warnings.println(source + ": ignoring unknown key '" + key + "' (PEFT drops it too)");
            } else if (!sameValue(dflt, json.get(key))) {
                throw f.error(key, key + " = " + json.get(key) + " is not supported (jtune supports only " + dflt + ")");
            }
        });
        String bias = f.string("bias", "none");
        if (!"none".equals(bias)) throw f.error("bias", "bias '" + bias + "' is not supported (jtune supports 'none')");
        JsonNode init = json.get("init_lora_weights");
        if (init != null && !init.isBoolean()) {
            throw f.error("init_lora_weights", "init_lora_weights = " + init + " is not supported (true or false)");
        }
        String task = f.string("task_type", null);
        if (task != null && !LoraConfig.TASK_TYPES.contains(task)) {
            throw f.error("task_type", "task_type '" + task + "' is not supported (jtune supports "
                    + String.join(" and ", LoraConfig.TASK_TYPES) + ")");
        }
        int r = f.integer("r", 8);
        if (r <= 0) throw f.error("r", "r must be positive, got " + r);
        double dropout = f.number("lora_dropout", 0);
        if (!(dropout >= 0 && dropout < 1)) throw f.error("lora_dropout", "lora_dropout must be in [0, 1), got " + dropout);
        return LoraConfig.builder().r(r).loraAlpha(f.number("lora_alpha", 8)).loraDropout(dropout)
                .targetModules(f.targets("target_modules")).excludeModules(f.targets("exclude_modules"))
                .fanInFanOut(f.bool("fan_in_fan_out", false)).useRslora(f.bool("use_rslora", false))
                .modulesToSave(f.strings("modules_to_save")).initLoraWeights(init == null || init.booleanValue())
                .baseModelNameOrPath(f.string("base_model_name_or_path", null)).revision(f.string("revision", null))
                .taskType(task).inferenceMode(f.bool("inference_mode", false))
                .peftVersion(f.string("peft_version", LoraConfig.PEFT_VERSION)).build();
    }

    /** Python compares 0 and 0.0 as equal; Jackson's nodes do not. */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        return a.isNumber() && b.isNumber() ? a.doubleValue() == b.doubleValue() : a.equals(b);
    }

    /** The JSON PEFT writes for {@code config}: all 41 keys. */
    public static ObjectNode toJson(LoraConfig c) {
        ObjectNode j = F.objectNode();
        UNSUPPORTED.forEach((k, v) -> j.set(k, v.deepCopy()));
        INERT.forEach((k, v) -> j.set(k, v.deepCopy()));
        j.put("base_model_name_or_path", c.baseModelNameOrPath());
        j.put("bias", c.bias());
        j.set("exclude_modules", targets(c.excludeModules()));
        j.put("fan_in_fan_out", c.fanInFanOut());
        j.put("inference_mode", c.inferenceMode());
        j.put("init_lora_weights", c.initLoraWeights());
        if (c.loraAlpha() == Math.rint(c.loraAlpha()) && Math.abs(c.loraAlpha()) < 1e15) {
            j.put("lora_alpha", (long) c.loraAlpha());  // PEFT's field is an int
        } else {
            j.put("lora_alpha", c.loraAlpha());
        }
        j.put("lora_dropout", c.loraDropout());
        j.set("modules_to_save", c.modulesToSave() == null ? F.nullNode() : strings(c.modulesToSave()));
        j.put("peft_type", "LORA");
        j.put("peft_version", c.peftVersion());
        j.put("r", c.r());
        j.put("revision", c.revision());
        j.set("target_modules", targets(c.targetModules()));
        j.put("task_type", c.taskType());
        j.put("use_rslora", c.useRslora());
        return j;
    }

    /** The file text PEFT writes: {@code json.dumps(indent=2, sort_keys=True)}, no trailing newline. */
    public static String toText(LoraConfig c) {
        return PythonJson.dumps(toJson(c));
    }

    /** Writes {@code dir/adapter_config.json} atomically. */
    public static void write(LoraConfig c, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "adapter_config", ".json.tmp");
        try {
            Files.writeString(tmp, toText(c), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static JsonNode targets(TargetModules t) {
        if (t == null) return F.nullNode();
        return t.names() != null ? strings(t.names()) : F.textNode(t.pattern());
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode a = F.arrayNode();
        values.forEach(a::add);
        return a;
    }

    /** Typed access to the keys of one file, failing with the file and key named. */
    private record Fields(ObjectNode json, String source) {
        IllegalArgumentException error(String key, String message) {
            return new IllegalArgumentException(source + ": key '" + key + "': " + message);
        }

        private JsonNode get(String key) {
            JsonNode v = json.get(key);
            return v == null || v.isNull() ? null : v;
        }

        String string(String key, String dflt) {
            JsonNode v = get(key);
            if (v == null) return dflt;
            if (!v.isTextual()) throw error(key, "must be a string, got " + v);
            return v.textValue();
        }

        boolean bool(String key, boolean dflt) {
            JsonNode v = get(key);
            if (v == null) return dflt;
            if (!v.isBoolean()) throw error(key, "must be true or false, got " + v);
            return v.booleanValue();
        }

        int integer(String key, int dflt) {
            JsonNode v = get(key);
            if (v == null) return dflt;
            if (!v.isIntegralNumber() || !v.canConvertToInt()) throw error(key, "must be an integer, got " + v);
            return v.intValue();
        }

        double number(String key, double dflt) {
            JsonNode v = get(key);
            if (v == null) return dflt;
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) throw error(key, "must be a number, got " + v);
            return v.doubleValue();
        }

        List<String> strings(String key) {
            JsonNode v = get(key);
            if (v == null) return null;
            if (!v.isArray()) throw error(key, "must be a list of strings, got " + v);
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) throw error(key, "must be a list of strings, got " + v);
                out.add(e.textValue());
            }
            return out;
        }

        TargetModules targets(String key) {
            JsonNode v = get(key);
            if (v == null) return null;
            try {
                return v.isTextual() ? (v.textValue().equals(TargetModules.ALL_LINEAR) ? TargetModules.allLinear()
                        : TargetModules.regex(v.textValue())) : TargetModules.names(strings(key));
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage());
            }
        }
    }
}
