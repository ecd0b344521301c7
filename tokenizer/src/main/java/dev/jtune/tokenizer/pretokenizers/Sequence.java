package dev.jtune.tokenizer.pretokenizers;

import java.util.List;

/** Applies {@code preTokenizers} in order, each to every piece the previous one produced. */
public record Sequence(List<PreTokenizer> preTokenizers) implements PreTokenizer {

    public Sequence {
        preTokenizers = List.copyOf(preTokenizers);
    }

    @Override
    public void split(String piece, int offset, Sink out) {
        splitFrom(0, piece, offset, out);
    }

    private void splitFrom(int stage, String piece, int offset, Sink out) {
        if (stage == preTokenizers.size()) {
            out.accept(piece, offset);
        } else if (stage == preTokenizers.size() - 1) {
            preTokenizers.get(stage).split(piece, offset, out); // so the last stage reaches out's char-range accept
        } else {
            preTokenizers.get(stage).split(piece, offset, (p, o) -> splitFrom(stage + 1, p, o, out));
        }
    }
}
