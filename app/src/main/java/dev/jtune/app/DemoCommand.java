package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.app.demo.DemoCorpus;
import dev.jtune.app.demo.DemoCorpus.Example;
import dev.jtune.app.demo.DemoPretraining;
import dev.jtune.app.demo.RlhfDemo;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Generation;
import dev.jtune.nn.GenerationConfig;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.IntervalStrategy;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.Datasets;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune demo}: the whole fine-tuning walkthrough offline. Texts come from a seeded generator in this app (made
 * up, tweet-like, labelled by construction); a byte-level BPE tokenizer is trained on them, a small GPT-2 is
 * pretrained on the unlabelled text for a short while, then fine-tuned to answer the sentiment as the next word.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "The embedded offline demo: generated tweets, a trained tokenizer, a small pretrained GPT-2, then the walkthrough.")
final class DemoCommand implements Callable<Integer> {

    static final String TEMPLATE = "Tweet: {text}\nSentiment: {label_text}";

    @Option(names = "--output-dir", defaultValue = "jtune-out/demo", description = "Where everything goes (default: ${DEFAULT-VALUE}).")
    Path outputDir;

    @Option(names = "--rlhf", description = "Go on with the rest of RLHF: a reward model on preference pairs, then DPO with LoRA.")
    boolean rlhf;

    @Option(names = "--seed", defaultValue = "42", description = "Seeds the corpus, the model and the training (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        FineTuning.log("demo: the texts below are made up by a seeded generator in jtune (not real tweets)");
        Path data = outputDir.resolve("data");
        Files.createDirectories(data);
        writeJsonl(data.resolve("train.jsonl"), DemoCorpus.labelled(1200, seed + 1));
        writeJsonl(data.resolve("validation.jsonl"), DemoCorpus.labelled(300, seed + 2));
        Path pretrained = outputDir.resolve("pretrained");
        DemoPretraining.run(DemoCorpus.unlabelled(4000, seed), pretrained, seed);

        TrainingArguments args = TrainingArguments.builder().outputDir(outputDir.resolve("finetuned").toString())
                .perDeviceTrainBatchSize(8).perDeviceEvalBatchSize(32).gradientAccumulationSteps(4)
                .learningRate(5e-3).numTrainEpochs(6).warmupSteps(5).loggingSteps(5).evalStrategy(
                        IntervalStrategy.EPOCH).saveStrategy(IntervalStrategy.NO)
                .seed(seed).build();
        Map<String, Object> metrics = FineTuning.run(new FineTuning.Plan(pretrained,
                Datasets.load("json", Map.of("train", List.of(data.resolve("train.jsonl")),
                        "validation", List.of(data.resolve("validation.jsonl")))),
                TEMPLATE, "label_text", 64, "longest", args));

        Path finetuned = Path.of(args.outputDir());
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(finetuned);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(finetuned);
        for (String tweet : List.of("the new album is amazing", "my flight was moved to tuesday", "this weather is the worst")) {
            String prompt = "Tweet: " + tweet + "\nSentiment:";
            int[] ids = Generation.generate(model, tokenizer.encode(prompt, false),
                    GenerationConfig.greedy(1, tokenizer.eosTokenId() == null ? -1 : tokenizer.eosTokenId()), null);
            System.out.printf("%s%s%n", prompt.replace("\n", " | "), tokenizer.decode(ids, true));
        }
        System.out.printf("accuracy before %.1f%%, after %.1f%% (macro recall %.1f%%); eval loss %.3f; %.0f s in all%n",
                100 * (double) metrics.get("eval_accuracy_before"), 100 * (double) metrics.get("eval_accuracy"),
                100 * (double) metrics.get("eval_macro_recall"), (double) metrics.get("eval_loss"),
                (System.nanoTime() - start) / 1e9);
        System.out.println("files: " + finetuned.toAbsolutePath() + " (model, tokenizer, trainer_state.json, metrics.json, loss_curve.png)");
        if (rlhf) {
            RlhfDemo.run(finetuned, outputDir.resolve("rlhf"), seed);
            System.out.printf("RLHF done; %.0f s in all%n", (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    private static void writeJsonl(Path file, List<Example> rows) throws java.io.IOException {
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (Example e : rows) {
                out.write(json.writeValueAsString(Map.of("text", e.text(), "label", e.label(), "label_text", e.labelText())));
                out.newLine();
            }
        }
    }
}
