package dev.jtune.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.tokenizer.AutoTokenizer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands end to end, in-process: the demo's accuracy, finetune's HF output layout, and clear CLI errors. */
class CommandsTest {

    @TempDir
    Path dir;

    private static int run(StringWriter err, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void theDemoReachesAtLeast80PercentValidationAccuracyAndWritesEveryFileAndItsRlhfStepsLearn() throws Exception {
        assertEquals(0, run(new StringWriter(), "demo", "--rlhf", "--output-dir", dir.toString()));
        Path out = dir.resolve("finetuned");
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertTrue(metrics.get("eval_accuracy").asDouble() >= 0.8, metrics.toString());
        assertTrue(metrics.get("eval_accuracy_before").asDouble() < 0.6, metrics.toString());
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "trainer_state.json",
                "metrics.json", "loss_curve.png", "training_args.json")) {
            assertTrue(Files.exists(out.resolve(file)), file);
        }
        Path rlhf = dir.resolve("rlhf");
        JsonNode rm = new ObjectMapper().readTree(rlhf.resolve("metrics.json").toFile());
        assertTrue(rm.get("reward_eval_accuracy").asDouble() >= 0.8, rm.toString());
        assertTrue(rm.get("dpo_eval_rewards_accuracies").asDouble() >= 0.7, rm.toString());
        assertTrue(rm.get("samples_mean_reward_after").asDouble() > rm.get("samples_mean_reward_before").asDouble(), rm.toString());
        JsonNode rewardConfig = new ObjectMapper().readTree(rlhf.resolve("reward/config.json").toFile());
        assertEquals("GPT2ForSequenceClassification", rewardConfig.get("architectures").get(0).asText());
        assertTrue(Files.exists(rlhf.resolve("dpo/adapter_config.json")));
        assertTrue(Files.exists(rlhf.resolve("dpo/adapter_model.safetensors")));
    }

    @Test
    void finetuneOnTweetsWritesAModelThatLoadsBackWithItsPadToken() throws Exception {
        Path model = SharedFixtures.file("models/tweet-gpt2-small");
        Path data = SharedFixtures.file("data/tweeteval-sentiment");
        Path train = dir.resolve("train.jsonl"), validation = dir.resolve("validation.jsonl");
        Files.write(train, Files.readAllLines(data.resolve("train.jsonl")).subList(0, 32));
        Files.write(validation, Files.readAllLines(data.resolve("validation.jsonl")).subList(0, 16));
        Path out = dir.resolve("out");
        int code = run(new StringWriter(), "finetune", "--model", model.toString(), "--data", dir.toString(),
                "--text-template", "Tweet: {text}\\nSentiment: {label_text}", "--label-column", "label_text",
                "--output-dir", out.toString(), "--per-device-train-batch-size", "4", "--gradient-accumulation-steps", "2",
                "--max-steps", "2", "--logging-steps", "1", "--save-strategy", "no", "--disable-tqdm");
        assertEquals(0, code);
        JsonNode metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        for (String key : List.of("eval_loss", "eval_accuracy", "eval_macro_recall", "eval_accuracy_before")) {
            assertTrue(metrics.has(key), key + " in " + metrics);
        }
        assertEquals(50258, AutoModelForCausalLM.fromPretrained(out).config().vocabSize());
        assertEquals(50257, AutoModelForCausalLM.fromPretrained(out).config().padTokenId(), "pad_token_id in config.json");
        assertEquals("[PAD]", AutoTokenizer.fromPretrained(out).padToken());
        JsonNode state = new ObjectMapper().readTree(out.resolve("trainer_state.json").toFile());
        assertEquals(2, state.get("global_step").asInt());
        int logged = 0;
        for (JsonNode entry : state.get("log_history")) if (entry.has("loss")) logged++;
        assertEquals(2, logged, "one log entry per step with logging_steps 1: " + state.get("log_history"));
    }

    @Test
    void helpFinetuneGroupsTheFlags() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("help", "finetune"));
        String help = out.toString();
        int data = help.indexOf("Model, data and output:"), training = help.indexOf("Training:"),
                saving = help.indexOf("Evaluation, logging and saving:");
        assertTrue(data >= 0 && data < training && training < saving, help);
        assertTrue(help.indexOf("--text-template") < training && help.indexOf("--output-dir") < training, help);
        assertTrue(help.indexOf("--learning-rate") > training && help.indexOf("--learning-rate") < saving, help);
        assertTrue(help.indexOf("--save-strategy") > saving, help);
    }

    @Test
    void badInputGivesOneClearErrorLine() {
        StringWriter err = new StringWriter();
        int code = run(err, "evaluate", "--model", dir.resolve("missing").toString(), "--data", "x.jsonl");
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("jtune: error: ") && err.toString().contains("config.json"), err.toString());
    }
}
