package dev.jtune.nn.peft;

import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.util.List;

/** Small random models and inputs for LoRA tests that need no fixture. */
final class TinyModels {

    static final int VOCAB = 40;

    private TinyModels() {}

    static GPT2LMHeadModel gpt2(long seed) {
        return new GPT2LMHeadModel(GPT2Config.builder().vocabSize(VOCAB).nPositions(16).nEmbd(8).nLayer(2).nHead(2)
                .dropout(0).build(), seed);
    }

    /** A one-label classifier (a reward model) over {@link #gpt2}, reading each row before the pad id {@code VOCAB - 1}. */
    static SequenceClassificationModel gpt2Reward(long seed) {
        SequenceClassificationModel model = new SequenceClassificationModel(gpt2(seed), List.of("LABEL_0"), seed + 100);
        model.setPadTokenId(VOCAB - 1);
        return model;
    }

    static LlamaForCausalLM llama(long seed, boolean tied) {
        return new LlamaForCausalLM(LlamaConfig.builder().vocabSize(VOCAB).hiddenSize(8).intermediateSize(12)
                .numHiddenLayers(2).numAttentionHeads(2).numKeyValueHeads(1).maxPositionEmbeddings(16)
                .tieWordEmbeddings(tied).build(), seed);
    }

    /** [2, 6] random ids. */
    static Tensor ids(long seed) {
        Generator g = new Generator(seed);
        long[] ids = new long[12];
        for (int i = 0; i < ids.length; i++) ids[i] = g.nextInt(VOCAB);
        return Tensor.ofLongs(ids, 2, 6);
    }
}
