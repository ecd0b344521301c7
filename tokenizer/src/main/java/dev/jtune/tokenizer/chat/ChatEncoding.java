package dev.jtune.tokenizer.chat;

import dev.jtune.tokenizer.AddedToken;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.text.ByteAlphabet;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A conversation as token ids, with transformers' {@code assistant_masks}: 1 for each token of a {@code {% generation
 * %}} block (an assistant reply), 0 elsewhere. As {@code apply_chat_template(tokenize=True,
 * return_assistant_tokens_mask=True)}: the rendered text is encoded without added special tokens, and every token from
 * the one holding a block's first character to the one holding its last is marked.
 *
 * <p>Characters are mapped to tokens through the tokens' bytes (byte-level BPE: a vocabulary token is its bytes in
 * GPT-2's alphabet, an added token its UTF-8 content); a tokenizer whose tokens do not add up to the text's bytes is
 * refused rather than guessed at.
 *
 * @param assistantMask same length as {@code inputIds}
 */
public record ChatEncoding(int[] inputIds, int[] assistantMask) {

    /** Renders and encodes {@code messages}, marking the tokens of the template's generation blocks. */
    public static ChatEncoding encode(ChatTemplate template, Tokenizer tokenizer, List<? extends Map<String, ?>> messages,
                                      boolean addGenerationPrompt, Map<String, ?> variables) {
        ChatTemplate.Rendered rendered = template.render(messages, addGenerationPrompt, tokenizer, variables);
        int[] ids = tokenizer.encode(rendered.text(), false);
        int[] mask = new int[ids.length];
        if (rendered.generationSpans().isEmpty()) return new ChatEncoding(ids, mask);
        long[] tokenEnds = tokenByteEnds(tokenizer, ids, rendered.text());
        for (int[] span : rendered.generationSpans()) {
            if (span[1] <= span[0]) continue;  // an empty block marks nothing
            int first = tokenAt(tokenEnds, utf8Length(rendered.text(), span[0]));
            int last = tokenAt(tokenEnds, utf8Length(rendered.text(), span[1] - 1));
            for (int t = first; t <= last; t++) mask[t] = 1;
        }
        return new ChatEncoding(ids, mask);
    }

    /** The byte offset just past each token. */
    private static long[] tokenByteEnds(Tokenizer tokenizer, int[] ids, String text) {
        Set<Integer> added = new HashSet<>();
        for (AddedToken t : tokenizer.addedTokens()) added.add(t.id());
        long[] ends = new long[ids.length];
        long at = 0;
        for (int i = 0; i < ids.length; i++) {
            String token = tokenizer.idToToken(ids[i]);
            if (added.contains(ids[i])) {
                at += token.getBytes(StandardCharsets.UTF_8).length;
            } else {
                for (int c = 0; c < token.length(); c++) {
                    if (ByteAlphabet.byteOf(token.charAt(c)) < 0) {
                        throw new ChatTemplateException("assistant mask: token '" + token + "' (id " + ids[i]
                                + ") is not byte-level BPE, so its characters cannot be located in the text");
                    }
                }
                at += token.length();
            }
            ends[i] = at;
        }
        long total = text.getBytes(StandardCharsets.UTF_8).length;
        if (at != total) {
            throw new ChatTemplateException("assistant mask: the tokens hold " + at + " bytes but the text has " + total
                    + " (the tokenizer's normalizer or pre-tokenizer changes the text), so they cannot be aligned");
        }
        return ends;
    }

    /** The index of the token holding byte {@code offset}. */
    private static int tokenAt(long[] ends, long offset) {
        int lo = 0, hi = ends.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] > offset) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private static long utf8Length(String text, int chars) {
        return text.substring(0, chars).getBytes(StandardCharsets.UTF_8).length;
    }
}
