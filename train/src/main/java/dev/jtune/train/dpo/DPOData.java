package dev.jtune.train.dpo;

import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.PreferenceRows;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TRL's DPO data preparation: rows of {@code prompt}, {@code chosen}, {@code rejected} text (without a {@code prompt}
 * column the shared prefix of chosen and rejected is taken as the prompt, as TRL's {@code extract_prompt}), EOS
 * appended to completions lacking it, and the prompt, prompt+chosen and prompt+rejected tokenized separately, the
 * completions being what follows the prompt's tokens; or rows already tokenized ({@code prompt_ids},
 * {@code chosen_ids}, {@code rejected_ids}). With {@code keep_start} truncation, examples whose prompt alone fills
 * {@code max_length} are dropped (nothing of their completions would be left) and counted. Precomputed
 * {@code ref_chosen_logps} / {@code ref_rejected_logps} columns are kept.
 */
public final class DPOData {

    private static final List<String> REF_COLUMNS = List.of("ref_chosen_logps", "ref_rejected_logps");

    private final Tokenizer tokenizer;
    private final Integer maxLength;
    private final boolean keepStart;
    private final int vocabSize;

    /**
     * @param tokenizer for text rows (may be null for token ids)
     * @param vocabSize token ids must be below it
     */
    public DPOData(Tokenizer tokenizer, Integer maxLength, String truncationMode, int vocabSize) {
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.keepStart = truncationMode.equals("keep_start");
        this.vocabSize = vocabSize;
    }

    /** @param dropped examples whose prompt fills max_length */
    public record Report(String split, int kept, int dropped, Integer maxLength) {
        @Override
        public String toString() {
            return split + ": " + kept + " preference examples" + (dropped == 0 ? ""
                    : ", " + dropped + " dropped because the prompt alone fills max_length " + maxLength);
        }
    }

    public record Prepared(Dataset dataset, Report report) {}

    /** Prepares {@code dataset}; errors name the split, row and column. */
    public Prepared prepare(Dataset dataset, String split) {
        List<String> columns = dataset.columnNames();
        boolean tokenized = columns.containsAll(List.of("prompt_ids", "chosen_ids", "rejected_ids"));
        if (!tokenized) {
            PreferenceRows.requireColumns(columns, List.of("chosen", "rejected"), split,
                    "DPO data have prompt, chosen and rejected texts, or prompt_ids, chosen_ids and rejected_ids");
            if (tokenizer == null) throw new IllegalArgumentException(split + " data: text columns need a tokenizer");
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        int dropped = 0;
        for (int i = 0; i < dataset.size(); i++) {
            Map<String, Object> row = dataset.get(i);
            Map<String, Object> out = tokenized ? tokenIds(row, i, split) : tokenize(row, i, split);
            if (maxLength != null && keepStart && ((long[]) out.get("prompt_ids")).length >= maxLength) {
                dropped++;
                continue;
            }
            for (String c : REF_COLUMNS) if (columns.contains(c)) out.put(c, row.get(c));
            rows.add(out);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(split + " data: no example left of " + dataset.size()
                    + (dropped > 0 ? " (" + dropped + " with a prompt filling max_length " + maxLength + ")" : ""));
        }
        return new Prepared(Dataset.fromRows(rows), new Report(split, rows.size(), dropped, maxLength));
    }

    private Map<String, Object> tokenIds(Map<String, Object> row, int i, String split) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String c : List.of("prompt_ids", "chosen_ids", "rejected_ids")) {
            out.put(c, PreferenceRows.ids(row, c, i, split, vocabSize, c.equals("prompt_ids")));
        }
        return out;
    }

    private Map<String, Object> tokenize(Map<String, Object> row, int i, String split) {
        String chosen = PreferenceRows.text(row, "chosen", i, split), rejected = PreferenceRows.text(row, "rejected", i, split);
        String prompt;
        if (row.containsKey("prompt") && row.get("prompt") != null) {
            prompt = PreferenceRows.text(row, "prompt", i, split);
        } else {
            int at = sharedPrefix(chosen, rejected);
            prompt = chosen.substring(0, at);
            chosen = chosen.substring(at);
            rejected = rejected.substring(at);
        }
        if (chosen.isEmpty() || rejected.isEmpty()) {
            throw new IllegalArgumentException(split + " data, row " + i + ": an empty " + (chosen.isEmpty() ? "chosen" : "rejected")
                    + " completion" + (row.get("prompt") == null ? " after taking the shared prefix as the prompt" : ""));
        }
        String eos = tokenizer.eosToken();
        if (eos != null && !chosen.endsWith(eos)) chosen += eos;
        if (eos != null && !rejected.endsWith(eos)) rejected += eos;
        long[] promptIds = PreferenceRows.encode(tokenizer, prompt);
        long[] withChosen = PreferenceRows.encode(tokenizer, prompt + chosen);
        long[] withRejected = PreferenceRows.encode(tokenizer, prompt + rejected);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("prompt_ids", promptIds);
        out.put("chosen_ids", java.util.Arrays.copyOfRange(withChosen, Math.min(promptIds.length, withChosen.length), withChosen.length));
        out.put("rejected_ids", java.util.Arrays.copyOfRange(withRejected, Math.min(promptIds.length, withRejected.length), withRejected.length));
        return out;
    }

    /**
     * Where TRL's {@code extract_prompt} splits two strings: at the first differing character, moved back one when the
     * character before is a space (the space goes with the completions); when one string is a prefix of the other,
     * at the last index compared (Python's loop variable after a loop without break). When the very first
     * characters differ and chosen ends with a space, Python's {@code chosen[idx - 1]} reads the last character and
     * TRL splits at -1 (all but the last character as the prompt); jtune splits at 0 there (no prompt).
     */
    static int sharedPrefix(String chosen, String rejected) {
        int n = Math.min(chosen.length(), rejected.length());
        if (n == 0) return 0;
        for (int idx = 0; idx < n; idx++) {
            if (chosen.charAt(idx) != rejected.charAt(idx)) {
                return idx > 0 && chosen.charAt(idx - 1) == ' ' ? idx - 1 : idx;
            }
        }
        return n - 1;
    }
}
