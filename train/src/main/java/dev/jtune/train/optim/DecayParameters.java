package dev.jtune.train.optim;

import dev.jtune.nn.Layers;
import dev.jtune.nn.Module;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which parameters get weight decay, by transformers' rule ({@code Trainer.get_decay_parameter_names}): not those of
 * a LayerNorm module (by type; jtune also counts RMSNorm), and not those whose lower-cased name matches {@code bias},
 * {@code layernorm}, {@code rmsnorm}, a {@code norm} path component, or a component ending in {@code _norm}.
 */
public final class DecayParameters {

    private static final List<Pattern> FORBIDDEN_NAME_PATTERNS = List.of(Pattern.compile("bias"),
            Pattern.compile("layernorm"), Pattern.compile("rmsnorm"), Pattern.compile("(?:^|\\.)norm(?:$|\\.)"),
            Pattern.compile("_norm(?:$|\\.)"));

    private DecayParameters() {}

    /** The names (as in {@link Module#namedParameters()}) of the parameters weight decay applies to. */
    public static Set<String> names(Module model) {
        List<String> normPrefixes = new ArrayList<>();
        model.namedModules().forEach((name, m) -> {
            if (m instanceof Layers.LayerNorm || m instanceof Layers.RMSNorm) normPrefixes.add(name.isEmpty() ? "" : name + ".");
        });
        Set<String> out = new LinkedHashSet<>();
        for (String name : model.namedParameters().keySet()) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            boolean inNorm = normPrefixes.stream().anyMatch(prefix -> name.startsWith(prefix) && name.indexOf('.', prefix.length()) < 0);
            boolean forbidden = FORBIDDEN_NAME_PATTERNS.stream().anyMatch(p -> p.matcher(lower).find());
            if (!inNorm && !forbidden) out.add(name);
        }
        return out;
    }
}
