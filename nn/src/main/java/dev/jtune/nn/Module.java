package dev.jtune.nn;

import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node of the model tree, like {@code torch.nn.Module}: named parameters and named children give every parameter a
 * dotted Hugging Face name ({@code transformer.h.0.attn.c_attn.weight}); train/eval mode propagates to children.
 */
public abstract class Module {

    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers a parameter under {@code name} and returns it. */
    protected Parameter registerParameter(String name, Parameter p) {
        if (parameters.put(name, p) != null) throw new IllegalStateException("parameter '" + name + "' registered twice");
        return p;
    }

    /** Registers a child module under {@code name} and returns it. */
    protected <M extends Module> M registerModule(String name, M m) {
        if (children.put(name, m) != null) throw new IllegalStateException("module '" + name + "' registered twice");
        return m;
    }

    /**
     * Adds a child at run time under {@code name}, after those registered so far, like PyTorch's {@code add_module}:
     * an adapter hangs its {@code lora_A}/{@code lora_B} layers under the layer it adapts this way. Returns it.
     */
    public <M extends Module> M addModule(String name, M m) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("addModule: bad name '" + name + "'");
        if (parameters.containsKey(name)) throw new IllegalStateException("'" + name + "' is a parameter of this module");
        return registerModule(name, m);
    }

    /** Removes the child {@code name} (the reverse of {@link #addModule}); returns it, or null when there is none. */
    public Module removeModule(String name) {
        return children.remove(name);
    }

    /** The child registered under {@code name}, or null. */
    public Module child(String name) {
        return children.get(name);
    }

    /**
     * Every parameter with its dotted name, in registration order; a parameter shared by two modules (tied weights)
     * appears once, under its first name, as in PyTorch.
     */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        Set<Parameter> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collect("", out, seen, true);
        return out;
    }

    /**
     * Every module of the tree under its dotted name (this one under {@code ""}), parents before children in
     * registration order, as {@code named_modules()}; the trainer uses it to find the parameters of norm layers.
     */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    private void collectModules(String name, Map<String, Module> out) {
        out.put(name, this);
        for (var e : children.entrySet()) e.getValue().collectModules(name.isEmpty() ? e.getKey() : name + "." + e.getKey(), out);
    }

    /** The parameters, each once. */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The total number of elements of the parameters, each once (frozen ones included). */
    public long numParameters() {
        return parameters().stream().mapToLong(Parameter::numel).sum();
    }

    /** The parameters that {@link Parameter#requiresGrad() require grad}, each once: what an optimizer updates. */
    public List<Parameter> trainableParameters() {
        return parameters().stream().filter(Parameter::requiresGrad).toList();
    }

    /** Every parameter under every name it has (tied weights appear under each name), as {@code state_dict()}. */
    public Map<String, Tensor> stateDict() {
        Map<String, Parameter> all = new LinkedHashMap<>();
        collect("", all, null, false);
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((name, p) -> out.put(name, p.value().detach()));
        return out;
    }

    /**
     * Copies tensors into the parameters of the same names (converting dtype). With {@code strict}, any missing or
     * unexpected key or shape mismatch fails before anything is changed; otherwise the result lists them.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        LoadResult result = checkStateDict(state);
        if (!result.mismatchedShapes().isEmpty()
                || (strict && (!result.missingKeys().isEmpty() || !result.unexpectedKeys().isEmpty()))) {
            throw new IllegalArgumentException("loadStateDict: " + result.describe());
        }
        Map<String, Parameter> all = new LinkedHashMap<>();
        collect("", all, null, false);
        for (var e : state.entrySet()) {
            Parameter p = all.get(e.getKey());
            if (p != null) p.set(e.getValue().to(p.value().dtype()).contiguous());
        }
        return result;
    }

    /**
     * How {@code state} fits this module, nothing changed: the names (a tied weight's under each of its names) it
     * lacks, those no parameter has, and the shapes that differ.
     */
    public LoadResult checkStateDict(Map<String, Tensor> state) {
        Map<String, Parameter> all = new LinkedHashMap<>();
        collect("", all, null, false);
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (String name : all.keySet()) if (!state.containsKey(name)) missing.add(name);
        for (var e : state.entrySet()) {
            Parameter p = all.get(e.getKey());
            if (p == null) {
                unexpected.add(e.getKey());
            } else if (!java.util.Arrays.equals(p.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + e.getValue().shapeString() + " vs model "
                        + Shape.format(p.shape()));
            }
        }
        return new LoadResult(missing, unexpected, mismatched);
    }

    /** What {@link #loadStateDict} found: keys the model has but the state lacks, and the reverse. */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys, List<String> mismatchedShapes) {
        public String describe() {
            return "missing keys " + missingKeys + ", unexpected keys " + unexpectedKeys + ", shape mismatches " + mismatchedShapes;
        }
    }

    /** Sets training mode here and below (dropout is active only in training). */
    public Module train(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.train(mode));
        return this;
    }

    /** Same as {@code train(false)}. */
    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Drops every parameter's gradient. */
    public void zeroGrad() {
        parameters().forEach(p -> p.value().zeroGrad());
    }

    private void collect(String prefix, Map<String, Parameter> out, Set<Parameter> seen, boolean dedupe) {
        for (var e : parameters.entrySet()) {
            if (!dedupe || seen.add(e.getValue())) out.put(prefix + e.getKey(), e.getValue());
        }
        for (var e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", out, seen, dedupe);
    }
}
