package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.Trainer;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.Datasets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The files the preference-training commands read and leave beside the trained model. */
final class TrainingOutputs {

    private TrainingOutputs() {}

    /** A JSONL (or, by its extension, CSV) file as a dataset. */
    static Dataset read(Path file) throws IOException {
        return Datasets.read(file.toString().endsWith(".csv") ? "csv" : "json", List.of(file));
    }

    /**
     * Writes the tokenizer, {@code trainer_state.json}, {@code metrics.json} and {@code loss_curve.png} into {@code out}
     * and says so, naming {@code what} was saved there.
     */
    static void write(Trainer trainer, Tokenizer tokenizer, Path out, Map<String, Object> metrics, String what,
                      String lossTitle) throws IOException {
        tokenizer.savePretrained(out);
        trainer.state().save(out.resolve("trainer_state.json"));
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.resolve("metrics.json").toFile(), metrics);
        FineTuning.plotLoss(trainer, out.resolve("loss_curve.png"), lossTitle);
        FineTuning.log("saved the %s, tokenizer, trainer_state.json, metrics.json and loss_curve.png in %s", what, out);
    }
}
