package dev.jtune.tokenizer.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A model's Jinja chat template, rendered as transformers' {@code apply_chat_template} renders it: the messages,
 * {@code add_generation_prompt}, {@code tools} and {@code documents} (none), the tokenizer's special tokens
 * ({@code bos_token}, {@code eos_token}, ...) and any extra variables, with trim_blocks and lstrip_blocks, the
 * helpers {@code raise_exception}, {@code tojson} and {@code strftime_now}, and {@code {% generation %}} blocks
 * reported as character spans. The engine is jinjava ({@link JinjaEngine}).
 */
public final class ChatTemplate {

    public static final String TEMPLATE_FILE = "chat_template.jinja";
    private static final Pattern GENERATION = Pattern.compile("\\{%-?\\s*generation\\s*-?%}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String source;
    private final String origin;

    private ChatTemplate(String source, String origin) {
        this.source = source;
        this.origin = origin;
    }

    /** A template from its Jinja source; {@code origin} names it in errors (a file, "--chat-template"). */
    public static ChatTemplate of(String source, String origin) {
        return new ChatTemplate(source, origin);
    }

    /**
     * The template saved with a tokenizer: {@code chat_template.jinja} when present (transformers reads it in
     * preference), else tokenizer_config.json's {@code chat_template} (a string, or a list of named templates of
     * which the one named "default" is taken).
     *
     * @throws ChatTemplateException when the folder has none
     */
    public static ChatTemplate fromPretrained(Path dir) {
        Path file = dir.resolve(TEMPLATE_FILE), config = dir.resolve("tokenizer_config.json");
        try {
            if (Files.isRegularFile(file)) return new ChatTemplate(Files.readString(file), file.toString());
            if (Files.isRegularFile(config)) {
                JsonNode template = JSON.readTree(config.toFile()).get("chat_template");
                if (template != null && template.isTextual()) return new ChatTemplate(template.asText(), config.toString());
                if (template != null && template.isArray()) {
                    for (JsonNode named : template) {
                        if ("default".equals(named.path("name").asText())) {
                            return new ChatTemplate(named.path("template").asText(), config + " (default)");
                        }
                    }
                    throw new ChatTemplateException(config + ": chat_template lists no template named 'default'");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": reading the chat template: " + e.getMessage(), e);
        }
        throw new ChatTemplateException(dir + ": no chat template (no " + TEMPLATE_FILE
                + " and no chat_template in tokenizer_config.json)");
    }

    public String source() {
        return source;
    }

    /** True when the template marks assistant replies with {@code {% generation %}} (needed for an assistant mask). */
    public boolean hasGenerationBlocks() {
        return GENERATION.matcher(source).find();
    }

    /**
     * The rendered text and the character spans {@code [start, end)} of its {@code {% generation %}} blocks.
     *
     * @param generationSpans in order of appearance
     */
    public record Rendered(String text, List<int[]> generationSpans) {}

    /** transformers' {@code apply_chat_template(messages, tokenize=False, add_generation_prompt=...)}. */
    public String apply(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Tokenizer tokenizer) {
        return render(messages, addGenerationPrompt, tokenizer, Map.of()).text();
    }

    /**
     * Renders the messages with the tokenizer's special tokens and {@code variables} (e.g. {@code enable_thinking})
     * in the context.
     *
     * @throws ChatTemplateException for a template jinjava cannot parse, or one that calls {@code raise_exception}
     */
    public Rendered render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Tokenizer tokenizer,
                           Map<String, ?> variables) {
        Map<String, Object> context = new HashMap<>();
        if (tokenizer != null) context.putAll(tokenizer.specialTokens());
        context.put("messages", messages);
        context.put("tools", null);
        context.put("documents", null);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.putAll(variables);
        String marked = JinjaEngine.render(source, context, origin);
        return unmark(marked);
    }

    /** The text without the generation marks, and where they were. */
    private Rendered unmark(String marked) {
        StringBuilder text = new StringBuilder(marked.length());
        List<int[]> spans = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < marked.length(); i++) {
            char c = marked.charAt(i);
            if (c == GenerationTag.START) {
                if (start >= 0) throw new ChatTemplateException(origin + ": {% generation %} blocks are nested");
                start = text.length();
            } else if (c == GenerationTag.END) {
                if (start < 0) throw new ChatTemplateException(origin + ": unbalanced {% generation %} marks in the output "
                        + "(does a message contain U+E000 or U+E001?)");
                spans.add(new int[]{start, text.length()});
                start = -1;
            } else {
                text.append(c);
            }
        }
        if (start >= 0) throw new ChatTemplateException(origin + ": an unclosed {% generation %} block");
        return new Rendered(text.toString(), List.copyOf(spans));
    }
}
