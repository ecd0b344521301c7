package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.jtune.core.DType;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Padding;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.Truncation;
import dev.jtune.tokenizer.chat.ChatTemplate;
import dev.jtune.tokenizer.chat.ChatTemplateException;
import dev.jtune.train.LossCurvePlot;
import dev.jtune.train.Trainer;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.DatasetDict;
import dev.jtune.train.data.MapOptions;
import dev.jtune.train.distributed.Distributed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The seed walkthrough, step by step: load the data, the pretrained model and its tokenizer, add a {@code [PAD]}
 * token and resize the embeddings, tokenize with a batched map (rows with their own {@code input_ids} are used as
 * they are), train with the {@link Trainer} (every weight, or LoRA adapters on a frozen base), evaluate (loss, and
 * label accuracy before and after when there is a label column), and save everything in the Hugging Face layout
 * (a LoRA run: PEFT's adapter folder).
 *
 * <p>Under {@code mpirun} every rank loads and tokenizes the data and trains its share; rank 0 alone logs, measures
 * the label accuracy and writes the files (the others wait for it without spinning).
 */
final class FineTuning {

    /**
     * What to fine-tune and how.
     *
     * @param template    text with {@code {column}} placeholders, e.g. {@code "Tweet: {text}\nSentiment: {label_text}"}
     * @param labelColumn the column holding label words (null: no classification metrics)
     * @param padding     "max_length" or "longest"
     */
    record Plan(Path modelDir, DatasetDict data, String template, String labelColumn, int maxLength, String padding,
                TrainingArguments args, Chat chat, Lora lora) {

        /** A plan for full fine-tuning on text data. */
        Plan(Path modelDir, DatasetDict data, String template, String labelColumn, int maxLength, String padding,
             TrainingArguments args) {
            this(modelDir, data, template, labelColumn, maxLength, padding, args, Chat.NONE, Lora.NONE);
        }
    }

    /**
     * How conversational data (a {@code messages} column) are formatted.
     *
     * @param templateFile      a Jinja chat template to use instead of the model's (null: the model's)
     * @param assistantOnlyLoss learn only the assistant replies (TRL's {@code assistant_only_loss})
     */
    record Chat(Path templateFile, boolean assistantOnlyLoss) {
        static final Chat NONE = new Chat(null, false);
    }

    /**
     * LoRA instead of full fine-tuning: a new adapter ({@code config}), or one to continue ({@code adapter}), with the
     * frozen base in {@code baseDtype}; {@link #NONE} for full fine-tuning.
     */
    record Lora(LoraConfig config, Path adapter, DType baseDtype) {
        static final Lora NONE = new Lora(null, null, DType.F32);

        boolean enabled() {
            return config != null || adapter != null;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private FineTuning() {}

    /** Runs the walkthrough and returns the metrics written to {@code metrics.json}. */
    static Map<String, Object> run(Plan plan) throws IOException {
        Path out = Path.of(plan.args().outputDir());
        Files.createDirectories(out);
        long start = System.nanoTime();
        Lora lora = plan.lora();
        Path tokenizerDir = AdapterLoading.tokenizerDir(plan.modelDir(), lora.adapter());
        PreTrainedCausalLM loaded = AutoModelForCausalLM.fromPretrained(plan.modelDir(),  // baseDtype is F32 without adapters
                Checkpoints.loadDtypeForFrozenBase(plan.modelDir(), lora.baseDtype()));
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(tokenizerDir);
        if (lora.adapter() != null) loaded = PeftModel.fromPretrained(loaded, lora.adapter(), true);
        boolean padAdded = tokenizer.padToken() == null;
        if (padAdded) tokenizer.addSpecialTokens(Map.of("pad_token", "[PAD]"));
        // Grown when the tokenizer has more tokens than the model (a [PAD] added), as transformers' run_clm.py does,
        // before the adapters, which then save the resized embeddings; a vocabulary padded beyond its tokenizer
        // (Qwen2.5's 151,936 rows for 151,665 tokens) stays as it is.
        if (tokenizer.size() > loaded.config().vocabSize()) loaded.resizeTokenEmbeddings(tokenizer.size());
        TokenizerFit.check(tokenizer, loaded, tokenizerDir);
        loaded.setPadTokenId(tokenizer.padTokenId());  // saved in config.json; the trainer's collator pads with it
        PreTrainedCausalLM model = lora.config() != null ? PeftModel.getPeftModel(loaded, lora.config()) : loaded;
        if (model instanceof PeftModel peft && lora.baseDtype() != DType.F32) peft.frozenBaseTo(lora.baseDtype());
        log("model %s: %.2fM parameters, vocabulary %d (pad token %s = %d)", plan.modelDir(),
                model.numParameters() / 1e6, tokenizer.size(), tokenizer.padToken(), tokenizer.padTokenId());
        if (model instanceof PeftModel peft) {
            log("LoRA r %d on %d layers (%s), base in %s: %s", peft.peftConfig().r(), peft.loraLayers().size(),
                    String.join(",", peft.peftConfig().targetModules().names()), lora.baseDtype(),
                    peft.trainableParametersSummary());
        }

        Padding padding = plan.padding().equals("max_length") ? Padding.maxLength(plan.maxLength()) : Padding.longest();
        Truncation truncation = Truncation.maxLength(plan.maxLength());
        boolean conversational = ChatRows.present(plan.data().get("train"));
        if (plan.chat().assistantOnlyLoss() && !conversational) {
            throw new IllegalArgumentException("--assistant-only-loss needs conversational data: a \"messages\" column");
        }
        ChatTemplate chatTemplate = chatTemplate(plan, conversational);
        int maxLength = Math.min(plan.maxLength(), model.config().maxPositions());
        DatasetDict tokenized = PretokenizedRows.present(plan.data().get("train"))
                ? plan.data().apply(rows -> PretokenizedRows.checked(rows, model.config().vocabSize(),
                        model.config().maxPositions()))
                : conversational ? plan.data().apply(rows -> rows.map(ChatRows.encoder(chatTemplate, tokenizer,
                        maxLength, plan.chat().assistantOnlyLoss())))
                : plan.data().map(Templates.encoder(tokenizer, plan.template(), padding, truncation), MapOptions.batched());
        Dataset train = tokenized.get("train");
        Dataset eval = tokenized.containsSplit("validation") ? tokenized.get("validation") : null;
        log("tokenized %d training rows%s", train.size(), eval == null ? "" : " and " + eval.size() + " validation rows");

        Map<String, Object> metrics = new LinkedHashMap<>();
        int evalBatchSize = plan.args().perDeviceEvalBatchSize();
        LabelClassification classification = plan.labelColumn() == null || eval == null ? null
                : LabelClassification.of(tokenizer, plan.template(), plan.labelColumn(), plan.data().get("validation"),
                        model.config().maxPositions());
        Trainer trainer = new Trainer(model, plan.args(), train, eval);
        Distributed world = Distributed.world();
        if (classification != null && world.isMain()) {
            metrics.put("eval_accuracy_before", classification.evaluate(model, evalBatchSize).get("accuracy"));
            log("accuracy before fine-tuning: %.1f%%", 100 * (double) metrics.get("eval_accuracy_before"));
        }
        world.barrier();
        trainer.train();
        if (eval != null) metrics.putAll(trainer.evaluate());
        if (!world.isMain()) return metrics;
        if (classification != null) {
            Map<String, Double> after = classification.evaluate(model, evalBatchSize);
            metrics.put("eval_accuracy", after.get("accuracy"));
            metrics.put("eval_macro_recall", after.get("macro_recall"));
            log("accuracy after fine-tuning: %.1f%%, macro recall %.1f%%", 100 * after.get("accuracy"),
                    100 * after.get("macro_recall"));
        }
        metrics.put("total_runtime_s", (System.nanoTime() - start) / 1e9);  // loading to evaluation, not just training

        trainer.saveModel(out);  // a LoRA model: the adapter folder, PEFT's layout
        // beside an adapter, the tokenizer only when it is not the base's (a [PAD] added), as PEFT's examples save it
        boolean saveTokenizer = !lora.enabled() || padAdded || !tokenizerDir.equals(plan.modelDir());
        if (saveTokenizer) tokenizer.savePretrained(out);
        if (chatTemplate != null) Files.writeString(out.resolve(ChatTemplate.TEMPLATE_FILE), chatTemplate.source());
        trainer.state().save(out.resolve("trainer_state.json"));
        JSON.writerWithDefaultPrettyPrinter().writeValue(out.resolve("metrics.json").toFile(), metrics);
        plotLoss(trainer, out.resolve("loss_curve.png"), "fine-tuning loss");
        log("saved the %s, %strainer_state.json, metrics.json and loss_curve.png in %s",
                lora.enabled() ? "adapter" : "model", saveTokenizer ? "tokenizer, " : "", out);
        return metrics;
    }

    /**
     * The chat template: --chat-template's file, else the model's own (null when it has none and the data do not need
     * one). It is saved with the fine-tuned model as chat_template.jinja, as transformers saves it.
     */
    private static ChatTemplate chatTemplate(Plan plan, boolean needed) throws IOException {
        Path file = plan.chat().templateFile();
        if (file != null) return ChatTemplate.of(Files.readString(file), file.toString());
        if (needed) return ChatTemplate.fromPretrained(plan.modelDir());
        try {
            return ChatTemplate.fromPretrained(plan.modelDir());
        } catch (ChatTemplateException e) {
            return null;  // a model without a template, fine-tuned on text
        }
    }

    /** The training (and evaluation) loss of the log history as a PNG. */
    static void plotLoss(Trainer trainer, Path png, String title) throws IOException {
        List<LossCurvePlot.Point> train = new ArrayList<>(), eval = new ArrayList<>();
        for (Map<String, Object> entry : trainer.state().logHistory()) {
            double step = ((Number) entry.get("step")).doubleValue();
            if (entry.get("loss") instanceof Number loss) train.add(new LossCurvePlot.Point(step, loss.doubleValue()));
            if (entry.get("eval_loss") instanceof Number loss) eval.add(new LossCurvePlot.Point(step, loss.doubleValue()));
        }
        LossCurvePlot.write(png, title, train, eval);
    }

    /** One "jtune: ..." line on stderr; only rank 0's under mpirun. */
    static void log(String format, Object... args) {
        if (!Distributed.isMainProcess()) return;
        System.err.println("jtune: " + String.format(Locale.ROOT, format, args));
    }
}
