package dev.jtune.nn.peft;

import dev.jtune.nn.Layers;
import dev.jtune.nn.Module;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.PreTrainedModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which modules an adapter targets, matched as PEFT's {@code check_target_module_exists} does: a list entry matches a
 * module whose dotted name equals it or ends with {@code "." + entry} ({@code c_proj} hits {@code attn.c_proj} and
 * {@code mlp.c_proj}); a string is a regular expression that must match the whole name; the string
 * {@code "all-linear"} is every Linear/Conv1D except the output head.
 *
 * @param names   the list form, or null
 * @param pattern the string form (a regex or {@code all-linear}), or null
 */
public record TargetModules(List<String> names, String pattern) {

    /** PEFT's shorthand for every linear layer but the output head. */
    public static final String ALL_LINEAR = "all-linear";

    /** PEFT's names of a sequence classifier's head, which {@code all-linear} leaves out. */
    static final List<String> SEQ_CLS_HEAD_NAMES = List.of("score", "classifier");

    public TargetModules {
        if ((names == null) == (pattern == null)) throw new IllegalArgumentException("TargetModules: names or a pattern");
        if (names != null) names = List.copyOf(new LinkedHashSet<>(names));  // PEFT keeps a set
        if (pattern != null && !pattern.equals(ALL_LINEAR)) {
            try {
                Pattern.compile(pattern);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("TargetModules: bad regular expression '" + pattern + "': "
                        + e.getDescription());
            }
        }
    }

    /** Names matched exactly or as a {@code .}-suffix. */
    public static TargetModules names(List<String> names) {
        return new TargetModules(names, null);
    }

    /** A regular expression matched against the whole module name ({@code re.fullmatch}). */
    public static TargetModules regex(String pattern) {
        return new TargetModules(null, pattern);
    }

    /** Every Linear/Conv1D but the output head. */
    public static TargetModules allLinear() {
        return new TargetModules(null, ALL_LINEAR);
    }

    /**
     * PEFT's default targets for a {@code model_type}
     * ({@code TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING}): GPT-2 {@code c_attn}; Llama-family
     * {@code q_proj, v_proj}.
     */
    public static TargetModules defaultFor(String modelType) {
        return switch (modelType) {
            case "gpt2" -> names(List.of("c_attn"));
            case "llama", "mistral", "qwen2", "qwen3" -> names(List.of("q_proj", "v_proj"));
            default -> throw new IllegalArgumentException("LoraConfig: no default target_modules for model_type '"
                    + modelType + "'; set target_modules");
        };
    }

    public boolean isAllLinear() {
        return ALL_LINEAR.equals(pattern);
    }

    /** Whether the module named {@code name} (dotted, relative to the base model) is targeted. */
    public boolean matches(String name) {
        if (names != null) {
            for (String n : names) if (name.equals(n) || name.endsWith("." + n)) return true;
            return false;
        }
        if (isAllLinear()) throw new IllegalStateException("all-linear is resolved against a model, not matched");
        return Pattern.matches(pattern, name);
    }

    /**
     * The linear layers of {@code model} that {@code targets} selects minus those {@code exclude} selects, by dotted
     * name. A module that {@code modulesToSave} selects is trained in full instead and never adapted (PEFT checks
     * {@code modules_to_save} first). A matched module that is not a Linear/Conv1D, or nothing matched, fails naming
     * the model's linear layers.
     */
    static Map<String, Module> resolve(PreTrainedModel model, TargetModules targets, TargetModules exclude,
                                       List<String> modulesToSave) {
        Map<String, Module> linear = linearLayers(model);
        TargetModules saved = modulesToSave == null ? null : names(modulesToSave);
        Map<String, Module> out = new LinkedHashMap<>();
        if (targets.isAllLinear()) {
            for (var e : linear.entrySet()) {
                if (outputHead(model, e.getKey(), e.getValue())) continue;
                if (skipped(e.getKey(), exclude, saved)) continue;
                out.put(e.getKey(), e.getValue());
            }
        } else {
            for (var e : model.namedModules().entrySet()) {
                String name = e.getKey();
                if (name.isEmpty() || !targets.matches(name) || skipped(name, exclude, saved)) continue;
                if (!linear.containsKey(name)) {
                    throw new IllegalArgumentException("target_modules " + targets.describe() + " matches " + name
                            + ", a " + e.getValue().getClass().getSimpleName()
                            + "; jtune's LoRA adapts Linear and Conv1D layers only");
                }
                out.put(name, e.getValue());
            }
        }
        if (out.isEmpty()) {
            Set<String> kinds = new TreeSet<>();
            linear.keySet().forEach(n -> kinds.add(n.substring(n.lastIndexOf('.') + 1)));
            throw new IllegalArgumentException("target_modules " + targets.describe() + " matched no module of the "
                    + model.config().modelType() + " model; its linear layers are " + kinds + " (e.g. "
                    + linear.keySet().iterator().next() + ")");
        }
        return out;
    }

    private static boolean skipped(String name, TargetModules exclude, TargetModules modulesToSave) {
        return (exclude != null && exclude.matches(name)) || (modulesToSave != null && modulesToSave.matches(name));
    }

    /** The last name parts of the resolved modules: what PEFT writes back for {@code all-linear}. */
    static TargetModules lastParts(Iterable<String> moduleNames) {
        List<String> parts = new ArrayList<>();
        for (String n : moduleNames) {
            String p = n.substring(n.lastIndexOf('.') + 1);
            if (!parts.contains(p)) parts.add(p);
        }
        return names(parts);
    }

    /** Every Linear and Conv1D of the model by dotted name. */
    static Map<String, Module> linearLayers(PreTrainedModel model) {
        Map<String, Module> out = new LinkedHashMap<>();
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Layers.Linear || m instanceof Layers.Conv1D) out.put(name, m);
        });
        return out;
    }

    /**
     * Whether {@code m} is the output layer {@code all-linear} leaves out, as PEFT does: a causal LM's output
     * embedding, or a classifier's head ({@code score} or {@code classifier}, PEFT's {@code SEQ_CLS_HEAD_NAMES}).
     */
    private static boolean outputHead(PreTrainedModel model, String name, Module m) {
        if (model instanceof PreTrainedCausalLM lm) return m instanceof Layers.Linear l && l.weight == lm.outputEmbeddings();
        return SEQ_CLS_HEAD_NAMES.contains(name);
    }

    /** The form written in messages: the list or the quoted string. */
    String describe() {
        return names != null ? names.toString() : "'" + pattern + "'";
    }
}
