package dev.jtune.app;

import dev.jtune.core.DType;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.peft.LoraConfigJson;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A model folder with, optionally, a PEFT adapter folder on it, as {@code evaluate}, {@code generate}, {@code merge}
 * and {@code finetune --adapter} load them: the base is {@code --model}, or the adapter's
 * {@code base_model_name_or_path} when {@code --model} is not given (informational in PEFT: a warning when both are
 * given and differ); the tokenizer is the adapter folder's when it has one (saved beside an adapter whose vocabulary
 * grew), else the base's.
 */
final class AdapterLoading {

    /** The model with its adapter (a {@link PeftModel}) or without, its tokenizer, and the folders they came from. */
    record Loaded(PreTrainedCausalLM model, Tokenizer tokenizer, Path baseDir, Path tokenizerDir) {}

    private AdapterLoading() {}

    /**
     * Loads the base, the adapter onto it (trainable or not) and the tokenizer, and checks that they fit together.
     *
     * @param model   the base model folder, or null to use the adapter's {@code base_model_name_or_path}
     * @param adapter the adapter folder, or null for the plain model
     */
    static Loaded load(Path model, Path adapter, boolean trainable) throws IOException {
        return load(model, adapter, trainable, base -> DType.F32);
    }

    /**
     * As {@link #load} with the adapter frozen, for a model that is only run ({@code evaluate}, {@code generate}): a
     * bf16 checkpoint's weights are held in bf16 when that computes the very numbers an F32 copy would (see {@link
     * #inferenceDtype}), at half the memory, and decoding reads half the bytes per token.
     */
    static Loaded loadForInference(Path model, Path adapter) throws IOException {
        return load(model, adapter, false, base -> inferenceDtype(base, adapter));
    }

    /**
     * As {@link #load} with the adapter frozen and the base held in {@code dtype}, or with {@code dtype} null in the
     * dtype its checkpoint stores (transformers' {@code dtype="auto"}, its default since version 5): {@code merge}.
     */
    static Loaded loadIn(DType dtype, Path model, Path adapter) throws IOException {
        return load(model, adapter, false, base -> dtypeFor(dtype, base));
    }

    /** {@code dtype}, or when it is null (auto) the checkpoint's one floating dtype (F32 when it mixes several). */
    static DType dtypeFor(DType dtype, Path base) throws IOException {
        if (dtype != null) return dtype;
        DType stored = Checkpoints.storedFloatDtype(base);
        return stored == null ? DType.F32 : stored;
    }

    /** The dtype to load a base model folder in. */
    @FunctionalInterface
    private interface BaseDtype {
        DType of(Path base) throws IOException;
    }

    private static Loaded load(Path model, Path adapter, boolean trainable, BaseDtype dtype) throws IOException {
        Path base = baseDir(model, adapter);
        Path tokenizerDir = tokenizerDir(base, adapter);
        PreTrainedCausalLM lm = AutoModelForCausalLM.fromPretrained(base, dtype.of(base));
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(tokenizerDir);
        if (adapter != null) lm = PeftModel.fromPretrained(lm, adapter, trainable);
        TokenizerFit.check(tokenizer, lm, tokenizerDir);
        return new Loaded(lm, tokenizer, base, tokenizerDir);
    }

    /**
     * {@link Checkpoints#inferenceDtype} (BF16 for a bf16 checkpoint: the same numbers as F32) when the adapter, if
     * any, holds only LoRA matrices; else F32: an embedding or module saved with the adapter would be rounded into the
     * bf16 base.
     */
    static DType inferenceDtype(Path base, Path adapter) throws IOException {
        if (Checkpoints.inferenceDtype(base) != DType.BF16) return DType.F32;
        // without a weights file: F32, and PeftModel.fromPretrained says what is missing
        return adapter == null || PeftModel.savesOnlyLoraMatrices(adapter) ? DType.BF16 : DType.F32;
    }

    /** The adapter folder when it holds a tokenizer, else the base model's folder. */
    static Path tokenizerDir(Path base, Path adapter) {
        boolean own = adapter != null && (Files.exists(adapter.resolve("tokenizer.json"))
                || Files.exists(adapter.resolve("tokenizer_config.json")));
        return own ? adapter : base;
    }

    /**
     * {@code model} when given (warning when the adapter names another base), else the adapter's
     * {@code base_model_name_or_path}, taken relative to the working directory or, failing that, to the adapter folder.
     */
    static Path baseDir(Path model, Path adapter) throws IOException {
        if (adapter == null) {
            if (model == null) throw new IllegalArgumentException("--model is required (or --adapter, whose base it names)");
            return model;
        }
        Path configFile = adapter.resolve(LoraConfigJson.FILE);
        String named = LoraConfigJson.read(adapter, new PrintStream(OutputStream.nullOutputStream()))
                .baseModelNameOrPath();
        Path namedDir = named == null ? null : localFolder(named, adapter);
        if (model != null) {
            if (named != null && (namedDir == null || !sameFolder(model, namedDir))) {
                System.err.println("jtune: warning: --model " + model + " is not the base model " + configFile
                        + " names (base_model_name_or_path " + named + "); using --model");
            }
            return model;
        }
        if (named == null) {
            throw new IllegalArgumentException(configFile + ": no base_model_name_or_path; give the base with --model");
        }
        if (namedDir == null) {
            throw new IllegalArgumentException(configFile + ": base_model_name_or_path " + named
                    + " is not a model folder here (no config.json); give the base with --model");
        }
        System.err.println("jtune: base model " + namedDir + " (base_model_name_or_path of " + configFile + ")");
        return namedDir;
    }

    private static Path localFolder(String named, Path adapter) {
        try {
            for (Path candidate : new Path[] {Path.of(named), adapter.resolve(named).normalize()}) {
                if (Files.isRegularFile(candidate.resolve("config.json"))) return candidate;
            }
        } catch (InvalidPathException e) {
            return null;
        }
        return null;
    }

    private static boolean sameFolder(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
