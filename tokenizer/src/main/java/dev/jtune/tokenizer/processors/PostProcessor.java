package dev.jtune.tokenizer.processors;

import java.util.List;
import java.util.Map;

/**
 * Adds the special tokens of a single sequence after the model ran (tokenizer.json's {@code post_processor}), e.g.
 * Llama's {@code <|begin_of_text|>}. Pairs of sequences are not encoded by this library; their templates are kept
 * only to save the file unchanged.
 */
public sealed interface PostProcessor {

    /** {@code ids} with the special tokens of a single sequence added. */
    int[] process(int[] ids);

    /** How many tokens {@link #process} adds: truncation leaves room for them. */
    int addedTokens();

    /** Byte-level offsets fix-up: changes no ids. */
    record ByteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) implements PostProcessor {
        @Override
        public int[] process(int[] ids) {
            return ids;
        }

        @Override
        public int addedTokens() {
            return 0;
        }
    }

    /**
     * A template such as {@code <s> $A </s>}: {@code single} and {@code pair} are lists of pieces, each a special
     * token or a sequence; {@code specialTokens} gives the ids of each special token named in them.
     */
    record TemplateProcessing(List<Piece> single, List<Piece> pair, Map<String, SpecialToken> specialTokens)
            implements PostProcessor {

        public TemplateProcessing {
            single = List.copyOf(single);
            pair = List.copyOf(pair);
            specialTokens = Map.copyOf(specialTokens);
        }

        @Override
        public int[] process(int[] ids) {
            int[] out = new int[ids.length + addedTokens()];
            int n = 0;
            for (Piece p : single) {
                if (p.special()) {
                    for (int id : specialTokens.get(p.id()).ids()) {
                        out[n++] = id;
                    }
                } else {
                    System.arraycopy(ids, 0, out, n, ids.length);
                    n += ids.length;
                }
            }
            return out;
        }

        @Override
        public int addedTokens() {
            return single.stream().filter(Piece::special).mapToInt(p -> specialTokens.get(p.id()).ids().size()).sum();
        }

        /** A template piece: a special token (id is its name) or a sequence (id is "A" or "B"). */
        public record Piece(boolean special, String id, int typeId) {}

        /** The ids and token strings a special-token name of a template stands for. */
        public record SpecialToken(String id, List<Integer> ids, List<String> tokens) {
            public SpecialToken {
                ids = List.copyOf(ids);
                tokens = List.copyOf(tokens);
            }
        }
    }

    /** Applies {@code processors} in order. */
    record Sequence(List<PostProcessor> processors) implements PostProcessor {
        public Sequence {
            processors = List.copyOf(processors);
        }

        @Override
        public int[] process(int[] ids) {
            for (PostProcessor p : processors) {
                ids = p.process(ids);
            }
            return ids;
        }

        @Override
        public int addedTokens() {
            return processors.stream().mapToInt(PostProcessor::addedTokens).sum();
        }
    }
}
