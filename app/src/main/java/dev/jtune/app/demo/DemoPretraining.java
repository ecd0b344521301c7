package dev.jtune.app.demo;

import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.tokenizer.BatchEncoding;
import dev.jtune.tokenizer.Padding;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.Truncation;
import dev.jtune.tokenizer.trainer.BpeTrainer;
import dev.jtune.train.IntervalStrategy;
import dev.jtune.train.Trainer;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.optim.SchedulerType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Makes the demo's "pretrained" model: a byte-level BPE tokenizer trained on the unlabelled texts, and a small GPT-2
 * trained on them as a language model for a short while, saved in the Hugging Face layout like a hub snapshot.
 */
public final class DemoPretraining {

    private static final String EOS = "<|endoftext|>";

    private DemoPretraining() {}

    public static void run(List<String> texts, Path dir, long seed) throws IOException {
        // The tokenizer also sees the label words, as a real pretrained vocabulary knows " positive" and friends.
        List<String> tokenizerCorpus = new ArrayList<>(texts);
        for (int i = 0; i < 300; i++) tokenizerCorpus.addAll(List.of(" negative", " neutral", " positive"));
        Tokenizer tokenizer = BpeTrainer.train(tokenizerCorpus, new BpeTrainer.Config(640, 2, List.of(EOS)));
        tokenizer.addSpecialTokens(Map.of("eos_token", EOS, "bos_token", EOS));
        int eos = tokenizer.eosTokenId();
        GPT2Config config = GPT2Config.builder().vocabSize(tokenizer.size()).nPositions(64).nEmbd(64).nLayer(2)
                .nHead(4).dropout(0).bosTokenId(eos).eosTokenId(eos).build();
        GPT2LMHeadModel model = new GPT2LMHeadModel(config, seed);

        List<String> withEos = new ArrayList<>();
        for (String t : texts) withEos.add(t + EOS);
        BatchEncoding enc = tokenizer.encode(withEos, false, Padding.none(), Truncation.maxLength(64));
        Dataset corpus = Dataset.fromColumns(Map.of("input_ids", Arrays.asList(enc.inputIds())));
        TrainingArguments args = TrainingArguments.builder().outputDir(dir.resolve("pretraining").toString())
                .perDeviceTrainBatchSize(32).learningRate(5e-3).numTrainEpochs(2).warmupSteps(10)
                .lrSchedulerType(SchedulerType.COSINE).loggingSteps(25).saveStrategy(IntervalStrategy.NO).seed(seed)
                .build();
        new Trainer(model, args, corpus, null).train();
        model.savePretrained(dir);
        tokenizer.savePretrained(dir);
    }
}
