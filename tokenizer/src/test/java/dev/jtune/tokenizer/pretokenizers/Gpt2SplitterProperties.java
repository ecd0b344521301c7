package dev.jtune.tokenizer.pretokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.tokenizer.UnicodeText;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** The hand-written GPT-2 splitter cuts every string exactly where GPT-2's regex does. */
class Gpt2SplitterProperties {

    private static final Pattern REGEX = Pattern.compile(Gpt2Splitter.REGEX, Pattern.UNICODE_CHARACTER_CLASS);

    @Property(tries = 3000)
    void splitsLikeTheRegex(@ForAll("unicodeText") String text) {
        assertEquals(byRegex(text), byHand(text), "text: " + text.codePoints().mapToObj(Integer::toHexString).toList());
    }

    @net.jqwik.api.Provide
    static net.jqwik.api.Arbitrary<String> unicodeText() {
        return UnicodeText.any();
    }

    @Example
    void splitsContractionsSpacesAndSymbolsLikeGpt2() {
        // A space run keeps its last space for the next word; "'S" is no contraction (the regex is case-sensitive).
        assertEquals(List.of("I", "'m", " here", "  ", " 123", "!!", " \u00e9t\u00e9", "\n", "\n", "'", "S", "  "),
                byHand("I'm here   123!! \u00e9t\u00e9\n\n'S  "));
    }

    private static List<String> byRegex(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = REGEX.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() != last) {
                out.add("GAP:" + text.substring(last, m.start()));
            }
            out.add(m.group());
            last = m.end();
        }
        return out;
    }

    private static List<String> byHand(String text) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < text.length(); ) {
            int end = Gpt2Splitter.matchEnd(text, i);
            out.add(text.substring(i, end));
            i = end;
        }
        return out;
    }
}
