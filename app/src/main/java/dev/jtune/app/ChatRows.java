package dev.jtune.app;

import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.chat.ChatEncoding;
import dev.jtune.tokenizer.chat.ChatTemplate;
import dev.jtune.tokenizer.chat.ChatTemplateException;
import dev.jtune.nn.CausalLMLoss;
import dev.jtune.train.data.Dataset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Conversational rows, TRL's {@code SFTTrainer} format: a {@code messages} column of {@code {"role", "content"}}
 * objects, rendered with the model's chat template and tokenized, truncated to the maximum length. With
 * {@code assistantOnlyLoss} (TRL's {@code assistant_only_loss}) the labels are -100 outside the template's
 * {@code {% generation %}} blocks, so only assistant replies are learned; like TRL, a template without such blocks,
 * or a row with no assistant token left, is an error.
 */
final class ChatRows {

    static final String COLUMN = "messages";

    private ChatRows() {}

    /** Whether the rows are conversations. */
    static boolean present(Dataset rows) {
        return rows.columnNames().contains(COLUMN);
    }

    /** The per-row map: {@code messages} to {@code input_ids}, {@code attention_mask} and, when masking, {@code labels}. */
    static Function<Map<String, Object>, Map<String, ?>> encoder(ChatTemplate template, Tokenizer tokenizer,
                                                                 int maxLength, boolean assistantOnlyLoss) {
        if (assistantOnlyLoss && !template.hasGenerationBlocks()) {
            throw new IllegalArgumentException("--assistant-only-loss needs a chat template that marks assistant "
                    + "replies with {% generation %} ... {% endgeneration %}, and this one has none; give one with "
                    + "--chat-template FILE (TRL refuses such a template too)");
        }
        return row -> {
            List<Map<String, ?>> messages = messages(row.get(COLUMN));
            ChatEncoding enc = ChatEncoding.encode(template, tokenizer, messages, false, Map.of());
            int n = Math.min(enc.inputIds().length, maxLength);
            int[] ids = Arrays.copyOf(enc.inputIds(), n), attention = new int[n];
            Arrays.fill(attention, 1);
            if (!assistantOnlyLoss) return Map.of("input_ids", ids, "attention_mask", attention);
            int[] labels = new int[n];
            boolean any = false;
            for (int i = 0; i < n; i++) {
                boolean assistant = enc.assistantMask()[i] == 1;
                labels[i] = assistant ? ids[i] : CausalLMLoss.IGNORE_INDEX;
                any |= assistant;
            }
            if (!any) {
                throw new IllegalArgumentException("--assistant-only-loss: a conversation has no assistant token "
                        + (n < enc.inputIds().length ? "within --max-length " + maxLength : "") + " (messages "
                        + shortText(messages) + ")");
            }
            return Map.of("input_ids", ids, "attention_mask", attention, "labels", labels);
        };
    }

    /** The column's value as messages, each an object with a string role. */
    @SuppressWarnings("unchecked")
    static List<Map<String, ?>> messages(Object value) {
        if (!(value instanceof List<?> list) || list.isEmpty()) {
            throw new ChatTemplateException("the messages column must hold a non-empty list of messages, got "
                    + shortText(value));
        }
        for (Object m : list) {
            if (!(m instanceof Map<?, ?> map) || !(map.get("role") instanceof String)) {
                throw new ChatTemplateException("each message must be an object with a \"role\" string, got "
                        + shortText(m));
            }
        }
        return (List<Map<String, ?>>) list;
    }

    private static String shortText(Object value) {
        String s = String.valueOf(value);
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
