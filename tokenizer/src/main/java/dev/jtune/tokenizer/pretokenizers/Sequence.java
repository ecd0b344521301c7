package dev.jtune.tokenizer.pretokenizers;

import java.util.List;

/** Applies {@code preTokenizers} in order, each to every piece the previous one produced. */
public record Sequence(List<PreTokenizer> preTokenizers) implements PreTokenizer {

    public Sequence {
        preTokenizers = List.copyOf(preTokenizers);
    }

    @Override
    public void split(String piece, boolean first, Sink out) {
        splitFrom(0, piece, first, out);
    }

    private void splitFrom(int stage, String piece, boolean first, Sink out) {
        if (stage == preTokenizers.size()) {
            out.accept(piece);
        } else if (stage == preTokenizers.size() - 1) {
            preTokenizers.get(stage).split(piece, first, out); // so the last stage reaches out's char-range accept
        } else {
            // only the first part of the first piece still starts the text
            boolean[] atStart = {first};
            preTokenizers.get(stage).split(piece, first, p -> {
                splitFrom(stage + 1, p, atStart[0], out);
                atStart[0] = false;
            });
        }
    }
}
