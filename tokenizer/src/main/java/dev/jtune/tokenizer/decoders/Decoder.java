package dev.jtune.tokenizer.decoders;

import dev.jtune.tokenizer.pretokenizers.Metaspace.PrependScheme;
import dev.jtune.tokenizer.text.ByteAlphabet;
import dev.jtune.tokenizer.text.TextPattern;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Turns token strings back into text (tokenizer.json's {@code decoder}). Like Hugging Face's
 * {@code decode_chain}, each decoder maps a list of token strings to a new list; the result is their concatenation.
 */
public sealed interface Decoder {

    List<String> decodeChain(List<String> tokens);

    /** The decoded text: {@link #decodeChain} joined. */
    default String decode(List<String> tokens) {
        return String.join("", decodeChain(tokens));
    }

    /**
     * Maps byte-alphabet characters back to bytes and those to UTF-8 text (invalid sequences become U+FFFD). A token
     * with a character outside the alphabet (an added token such as "[PAD]" is inside it) contributes its own UTF-8.
     */
    record ByteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String token : tokens) {
                byte[] tokenBytes = new byte[token.length()];
                boolean inAlphabet = true;
                for (int i = 0; i < token.length() && inAlphabet; i++) {
                    int b = ByteAlphabet.byteOf(token.charAt(i));
                    inAlphabet = b >= 0;
                    tokenBytes[i] = (byte) b;
                }
                bytes.writeBytes(inAlphabet ? tokenBytes : token.getBytes(StandardCharsets.UTF_8));
            }
            return List.of(new String(bytes.toByteArray(), StandardCharsets.UTF_8));
        }
    }

    /**
     * Undoes Metaspace: '▁' becomes a space, except in the first token when a prefix was prepended, where every '▁'
     * is dropped (Hugging Face's rule, kept as is).
     */
    record Metaspace(char replacement, PrependScheme prependScheme, boolean split) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                boolean dropReplacement = i == 0 && prependScheme != PrependScheme.NEVER;
                out.add(dropReplacement ? t.replace(String.valueOf(replacement), "") : t.replace(replacement, ' '));
            }
            return out;
        }
    }

    /** Runs of {@code <0xAB>} tokens become the text their bytes encode, or one U+FFFD per byte if invalid UTF-8. */
    record ByteFallback() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            for (String t : tokens) {
                int b = byteToken(t);
                if (b >= 0) {
                    run.write(b);
                } else {
                    flush(run, out);
                    out.add(t);
                }
            }
            flush(run, out);
            return out;
        }

        private static int byteToken(String t) {
            if (t.length() != 6 || !t.startsWith("<0x") || t.charAt(5) != '>') {
                return -1;
            }
            int hi = Character.digit(t.charAt(3), 16);
            int lo = Character.digit(t.charAt(4), 16);
            return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
        }

        private static void flush(ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) {
                return;
            }
            byte[] bytes = run.toByteArray();
            var decoder = StandardCharsets.UTF_8.newDecoder();
            try {
                out.add(decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString());
            } catch (java.nio.charset.CharacterCodingException e) {
                for (int i = 0; i < bytes.length; i++) {
                    out.add("\uFFFD");
                }
            }
            run.reset();
        }
    }

    /** Joins all tokens into one. */
    record Fuse() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters from each token. */
    record Strip(char content, int start, int stop) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                int from = 0;
                int to = t.length();
                while (from < start && from < to && t.charAt(from) == content) {
                    from++;
                }
                while (t.length() - to < stop && to > from && t.charAt(to - 1) == content) {
                    to--;
                }
                out.add(t.substring(from, to));
            }
            return out;
        }
    }

    /** Replaces every match of {@code pattern} in each token with {@code content}. */
    record Replace(TextPattern pattern, String content) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            String replacement = Matcher.quoteReplacement(content);
            return tokens.stream().map(t -> pattern.compiled().matcher(t).replaceAll(replacement)).toList();
        }
    }

    /** Applies {@code decoders} in order. */
    record Sequence(List<Decoder> decoders) implements Decoder {
        public Sequence {
            decoders = List.copyOf(decoders);
        }

        @Override
        public List<String> decodeChain(List<String> tokens) {
            for (Decoder d : decoders) {
                tokens = d.decodeChain(tokens);
            }
            return tokens;
        }
    }
}
