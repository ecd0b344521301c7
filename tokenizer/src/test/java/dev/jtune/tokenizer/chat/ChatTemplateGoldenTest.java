package dev.jtune.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real chat templates rendered as transformers renders them. Golden: {@code chat/expected.json}, written by
 * {@code chat/generate_expected.py} with Jinja2 3.1.6 in the environment transformers' {@code apply_chat_template}
 * builds (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its {@code tojson}). Templates:
 * Qwen3's and Llama-3-Instruct's from {@code shared/fixtures/tokenizers/*\/tokenizer_config.json}, Qwen2.5-Instruct's
 * and SmolLM2-Instruct's as published on the hub, a ChatML template with {@code {% generation %}} blocks, and a
 * Llama-2 style template that checks alternation with {@code raise_exception}. The cases cover system prompts,
 * generation prompts, tools and tool calls ({@code tojson} of nested objects, a float, a non-ASCII string), Qwen3's
 * reasoning split ({@code namespace}, {@code messages[::-1]}, {@code startswith}, {@code split}, {@code strip}) and
 * {@code enable_thinking=false}.
 */
class ChatTemplateGoldenTest {

    record Case(String template, List<Map<String, Object>> messages, boolean add_generation_prompt,
                Map<String, Object> variables, String expected, List<List<Integer>> generation_spans) {}

    static Stream<Arguments> cases() throws IOException {
        try (InputStream in = ChatTemplateGoldenTest.class.getResourceAsStream("/chat/expected.json")) {
            List<Case> cases = new ObjectMapper().readValue(in, new TypeReference<>() {});
            return cases.stream().map(c -> Arguments.of(c.template() + (c.add_generation_prompt() ? " +prompt" : "")
                    + " " + c.variables().keySet(), c));
        }
    }

    static ChatTemplate template(String name) throws IOException {
        try (InputStream in = ChatTemplateGoldenTest.class.getResourceAsStream("/chat/" + name + ".jinja")) {
            return ChatTemplate.of(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersTheStringTransformersRenders(String name, Case c) throws IOException {
        ChatTemplate.Rendered r = template(c.template()).render(c.messages(), c.add_generation_prompt(), null,
                withSpecialTokens(c.variables()));
        assertEquals(c.expected(), r.text());
        List<List<Integer>> spans = new ArrayList<>();
        for (int[] s : r.generationSpans()) spans.add(List.of(s[0], s[1]));
        assertEquals(c.generation_spans(), spans);
    }

    private static Map<String, Object> withSpecialTokens(Map<String, Object> variables) {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("bos_token", "<s>", "eos_token", "</s>"));
        all.putAll(variables);
        return all;
    }
}
