package dev.jtune.train;

import dev.jtune.core.Generator;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.train.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A tiny random GPT-2 and ragged random token rows for trainer tests. */
final class TinyModels {

    static final int VOCAB = 30;

    private TinyModels() {}

    static GPT2LMHeadModel gpt2(long seed, double dropout) {
        return new GPT2LMHeadModel(GPT2Config.builder().vocabSize(VOCAB).nPositions(16).nEmbd(8).nLayer(1).nHead(2)
                .dropout(dropout).build(), seed);
    }

    /** {@code n} rows of 2..maxLen random ids, no attention mask (the collator pads). */
    static Dataset rows(int n, int maxLen, long seed) {
        Generator g = new Generator(seed);
        List<Object> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] row = new int[2 + g.nextInt(maxLen - 1)];
            for (int j = 0; j < row.length; j++) row[j] = g.nextInt(VOCAB);
            ids.add(row);
        }
        return Dataset.fromColumns(Map.of("input_ids", ids));
    }
}
