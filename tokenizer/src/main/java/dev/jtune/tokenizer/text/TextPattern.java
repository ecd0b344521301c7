package dev.jtune.tokenizer.text;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pattern from tokenizer.json: either a literal string ({@code {"String": ","}}) or a regex ({@code {"Regex":
 * "\\s+"}}). Hugging Face compiles regexes with Oniguruma, whose {@code \s}, {@code \w}, {@code \d} and case folding
 * are Unicode-aware; {@link Pattern#UNICODE_CHARACTER_CLASS} gives Java the same meaning. Possessive quantifiers,
 * {@code \p{..}} classes, {@code (?i:..)} groups and lookahead need no translation.
 *
 * @param source the string or regex as written in the file
 * @param regex whether {@code source} is a regex
 */
public record TextPattern(String source, boolean regex, Pattern compiled) {

    /** A literal string pattern. */
    public static TextPattern literal(String s) {
        return new TextPattern(s, false, Pattern.compile(Pattern.quote(s)));
    }

    /**
     * A regex pattern in Oniguruma syntax.
     *
     * @throws PatternSyntaxException when Java cannot compile it
     */
    public static TextPattern regex(String source) {
        return new TextPattern(source, true, Pattern.compile(source, Pattern.UNICODE_CHARACTER_CLASS));
    }
}
