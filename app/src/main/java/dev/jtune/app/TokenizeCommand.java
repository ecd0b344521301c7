package dev.jtune.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.nn.ConfigJson;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune tokenize --tokenizer DIR --input FILE --output FILE}: encodes each input line (a JSON object's
 * {@code text} field, or the plain line) and writes one {@code {"ids": [...]}} line per input line, in order.
 */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Encode JSONL (a \"text\" field) or plain lines into JSONL token ids.")
final class TokenizeCommand implements Callable<Integer> {

    private static final int BATCH = 4096;
    private static final ObjectMapper JSON = ConfigJson.MAPPER;  // strict: duplicate keys, trailing content

    @Option(names = "--tokenizer", required = true, description = "Folder with tokenizer.json or vocab.json + merges.txt.")
    Path tokenizerDir;

    @Option(names = "--input", required = true, description = "JSONL with a \"text\" field, or plain text lines.")
    Path input;

    @Option(names = "--output", required = true, description = "JSONL to write: {\"ids\": [...]} per input line.")
    Path output;

    @Option(names = "--add-special-tokens", description = "Add the post-processor's special tokens (BOS/EOS).")
    boolean addSpecialTokens;

    @Override
    public Integer call() throws IOException {
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(tokenizerDir);
        long lines = 0;
        long tokens = 0;
        try (BufferedReader in = Files.newBufferedReader(input); BufferedWriter out = Files.newBufferedWriter(output)) {
            List<String> batch = new ArrayList<>(BATCH);
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                batch.add(textOf(line, lines + batch.size() + 1));
                if (batch.size() == BATCH) {
                    tokens += write(tokenizer.encodeBatch(batch, addSpecialTokens), out);
                    lines += batch.size();
                    batch.clear();
                }
            }
            tokens += write(tokenizer.encodeBatch(batch, addSpecialTokens), out);
            lines += batch.size();
        }
        System.err.printf("tokenize: %d lines, %d tokens -> %s%n", lines, tokens, output);
        return 0;
    }

    /** The "text" field of a JSON object line, else the line itself. */
    private String textOf(String line, long lineNumber) throws IOException {
        if (!line.startsWith("{")) {
            return line;
        }
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IOException(input + ": line " + lineNumber + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode text = node.get("text");
        if (text == null || !text.isTextual()) {
            throw new IOException(input + ": line " + lineNumber + ": a JSON object without a string \"text\" field");
        }
        return text.textValue();
    }

    private static long write(int[][] ids, BufferedWriter out) throws IOException {
        long tokens = 0;
        StringBuilder sb = new StringBuilder();
        for (int[] row : ids) {
            sb.setLength(0);
            sb.append("{\"ids\": [");
            for (int i = 0; i < row.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(row[i]);
            }
            out.append(sb.append("]}\n"));
            tokens += row.length;
        }
        return tokens;
    }
}
