package dev.jtune.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.SharedFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of transformers' template environment, each against what Jinja2 and Python do. */
class ChatTemplateTest {

    static String render(String template, Map<String, Object> context) {
        return ChatTemplate.of(template, "test").render(List.of(), false, null, context).text();
    }

    @Test
    void raiseExceptionIsOneMessageNamingTheTemplate() throws IOException {
        ChatTemplate alternating = ChatTemplateGoldenTest.template("alternating");
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> alternating.render(
                List.of(Map.of("role", "user", "content", "a"), Map.of("role", "user", "content", "b")), false, null,
                Map.of("bos_token", "<s>", "eos_token", "</s>")));
        assertEquals("alternating: the chat template refused the messages: Conversation roles must alternate "
                + "user/assistant/user/assistant/...", e.getMessage());
    }

    @Test
    void aSyntaxErrorIsOneMessageWithItsLine() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> render("ok\n{% if %}", Map.of()));
        assertTrue(e.getMessage().startsWith("test: chat template line 2: "), e.getMessage());
    }

    @Test
    void pythonStringMethodsBehaveAsInPython() {
        assertEquals("a//b.c|b|x|x y|Hello World'S|3|2|True", render("{{ 'a..b.c'.split('.', 2)|join('/') }}"
                + "|{{ 'a</think>b'.split('</think>')[-1] }}|{{ '\\n x \\n'.strip() }}|{{ ' x y'.lstrip() }}"
                + "|{{ \"hello world's\".title() }}|{{ 'a b  c'.split()|length }}|{{ 'aXbX'.count('X') }}"
                + "|{{ 'abc'.startswith(('x', 'a')) }}", Map.of()).replace("true", "True"));
        assertEquals("--x|y--|a, b", render("{{ '--x--'.rstrip('-') }}|{{ '--y--'.lstrip('-') }}|{{ ', '.join(['a', 'b']) }}",
                Map.of()));
    }

    @Test
    void tojsonIsPythonsJsonDumps() {
        Map<String, Object> obj = new LinkedHashMap<>();
        obj.put("name", "f\"é\n");
        obj.put("n", List.of(1, 2.5, true));
        obj.put("none", null);
        assertEquals("{\"name\": \"f\\\"é\\n\", \"n\": [1, 2.5, true], \"none\": null}",
                render("{{ x|tojson }}", Map.of("x", obj)));
        assertEquals("{\n  \"a\": [\n    1\n  ]\n}", render("{{ x|tojson(indent=2) }}", Map.of("x", Map.of("a", List.of(1)))));
    }

    @Test
    void keywordArgumentsWithOperatorsAndReversedSlicesAreRewrittenForJinjava() {
        assertEquals("f(i=(messages|length - 1), j=x, k='a,b')",
                JinjaSource.parenthesizeKeywordValues("f(i=messages|length - 1, j=x, k='a,b')"));
        assertEquals("for m in (a.b[0]|reverse|list)", JinjaSource.reverseSlices("for m in a.b[0][::-1]"));
        assertEquals("{{ 'x[::-1]' }}", JinjaSource.rewrite("{{ 'x[::-1]' }}"));
        assertEquals("2|cba", render("{% set ns = namespace(i=xs|length - 1) %}{{ ns.i }}|{% for x in xs[::-1] %}"
                + "{{ x }}{% endfor %}", Map.of("xs", List.of("a", "b", "c"))));
    }

    @Test
    void trailingNewlineOfTheSourceIsDroppedButPrintedNewlinesAreKept() {
        assertEquals("a\n", render("{{ 'a\\n' }}\n", Map.of()));
        assertEquals("a\n", render("a\n\n", Map.of()));
    }

    @Test
    void strftimeNowUsesPythonDirectives() {
        assertEquals("05 Mar 2024 14:07:09 Tuesday PM 065",
                Strftime.format(LocalDateTime.of(2024, 3, 5, 14, 7, 9), "%d %b %Y %H:%M:%S %A %p %j"));
        assertEquals(Strftime.now("%Y"), render("{{ strftime_now('%Y') }}", Map.of()));
    }

    @Test
    void specialTokensOfTheTokenizerAreInTheContext() throws IOException {
        Path dir = SharedFixtures.require("fixtures/tokenizers/llama3");
        String text = ChatTemplate.fromPretrained(dir).apply(List.of(Map.of("role", "user", "content", " hi ")), true,
                AutoTokenizer.fromPretrained(dir));
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", text);
    }

    @Test
    void chatTemplateJinjaIsPreferredAndANamedListIsRead(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"T\"}, {\"name\": \"default\", \"template\": \"D\"}]}");
        assertEquals("D", ChatTemplate.fromPretrained(dir).source());
        Files.writeString(dir.resolve("chat_template.jinja"), "J");
        assertEquals("J", ChatTemplate.fromPretrained(dir).source());
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
                () -> ChatTemplate.fromPretrained(dir.resolve("none")));
        assertTrue(e.getMessage().contains("no chat template"), e.getMessage());
    }
}
