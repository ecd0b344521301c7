package dev.jtune.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.chat.ChatTemplate;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Conversational fine-tuning and chat generation on the tiny Llama ({@code shared/fixtures/hf/tiny-llama}). */
class ChatFineTuneTest {

    /** ChatML with the assistant replies in generation blocks, as TRL's training templates mark them. */
    static final String CHATML = """
            {%- for message in messages %}
                {%- if message.role == 'assistant' %}
                    {{- '<|im_start|>assistant\\n' }}
                    {%- generation %}{{- message.content + '<|im_end|>' }}{%- endgeneration %}
                    {{- '\\n' }}
                {%- else %}
                    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}
            """;

    static final String ROW = "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, "
            + "{\"role\": \"user\", \"content\": \"Capital of France?\"}, {\"role\": \"assistant\", \"content\": \"Paris.\"}, "
            + "{\"role\": \"user\", \"content\": \"And of Italy?\"}, {\"role\": \"assistant\", \"content\": \"Rome.\"}]}";

    @TempDir
    Path dir;

    static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void assistantOnlyLabelsAreTheRepliesAndTheirEndTokensOnly() throws Exception {
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(SharedFixtures.file("fixtures/hf/tiny-llama/model"));
        Map<String, Object> row = new ObjectMapper().readValue(ROW, Map.class);
        Map<String, ?> encoded = ChatRows.encoder(ChatTemplate.of(CHATML, "chatml"), tokenizer, 1000, true).apply(row);
        int[] ids = (int[]) encoded.get("input_ids"), labels = (int[]) encoded.get("labels");
        assertEquals(ids.length, labels.length);
        int[] learned = IntStream.range(0, ids.length).filter(i -> labels[i] != -100).map(i -> ids[i]).toArray();
        assertTrue(IntStream.range(0, ids.length).allMatch(i -> labels[i] == -100 || labels[i] == ids[i]));
        // by the template: the two generation blocks are "Paris.<|im_end|>" and "Rome.<|im_end|>"
        assertEquals("Paris.<|im_end|>Rome.<|im_end|>", tokenizer.decode(learned));
    }

    @Test
    void chatFineTuneWithAssistantOnlyLossRunsAndSavesTheTemplate() throws Exception {
        Path data = write("train.jsonl", (ROW + "\n").repeat(4));
        Path template = write("chatml.jinja", CHATML);
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        int code = run(new StringWriter(), err, "finetune", "--model", SharedFixtures.file("fixtures/hf/tiny-llama/model")
                .toString(), "--data", data.toString(), "--chat-template", template.toString(), "--assistant-only-loss",
                "--max-length", "128", "--output-dir", out.toString(), "--per-device-train-batch-size", "2",
                "--max-steps", "2", "--logging-steps", "1", "--save-strategy", "no", "--disable-tqdm");
        assertEquals(0, code, err.toString());
        assertEquals(CHATML, Files.readString(out.resolve("chat_template.jinja")));
        JsonNode state = new ObjectMapper().readTree(out.resolve("trainer_state.json").toFile());
        assertTrue(state.get("log_history").get(0).get("loss").asDouble() > 0, state.toString());
    }

    @Test
    void assistantOnlyLossWithATemplateWithoutGenerationBlocksIsRefusedLikeTrl() throws Exception {
        Path data = write("train.jsonl", ROW + "\n");
        Path template = write("plain.jinja", "{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}");
        StringWriter err = new StringWriter();
        int code = run(new StringWriter(), err, "finetune", "--model", SharedFixtures.file("fixtures/hf/tiny-llama/model")
                .toString(), "--data", data.toString(), "--chat-template", template.toString(), "--assistant-only-loss",
                "--output-dir", dir.resolve("out").toString(), "--max-steps", "1", "--save-strategy", "no");
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("jtune: error: --assistant-only-loss needs a chat template that marks "
                + "assistant replies with {% generation %}"), err.toString());
    }

    @Test
    void generateChatFormatsThePromptAsAUserTurn() throws Exception {
        Path template = write("chatml.jinja", CHATML);
        StringWriter out = new StringWriter(), err = new StringWriter();
        var stdout = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        int code;
        try {
            code = run(out, err, "generate", "--model", SharedFixtures.file("fixtures/hf/tiny-llama/model").toString(),
                    "--prompt", "Hi", "--chat", "--chat-template", template.toString(), "--max-new-tokens", "3", "--json");
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, code, err.toString());
        List<String> lines = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        JsonNode json = new ObjectMapper().readTree(lines.getLast());
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", json.get("prompt").asText());
        assertEquals(3, json.get("generated_ids").size());
    }
}
