package dev.jtune.app;

import dev.jtune.core.DType;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A fixture model rounded to bf16 and saved twice, with its tokenizer: in bf16, as the hub stores Qwen, and in F32. */
final class Bf16Twins {

    private Bf16Twins() {}

    /** The folders {@code dir/bf16} and {@code dir/f32}, in that order: the same values, stored two ways. */
    static List<Path> of(String fixtureModel, Path dir) throws IOException {
        Path fixture = SharedFixtures.file(fixtureModel);
        Path bf16 = dir.resolve("bf16"), f32 = dir.resolve("f32");
        AutoModelForCausalLM.fromPretrained(fixture, DType.BF16).savePretrained(bf16);
        AutoModelForCausalLM.fromPretrained(bf16).savePretrained(f32);
        for (Path copy : List.of(bf16, f32)) {
            for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
                Files.copy(fixture.resolve(f), copy.resolve(f));
            }
        }
        return List.of(bf16, f32);
    }
}
