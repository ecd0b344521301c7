package dev.jtune.tokenizer;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/** Generators of valid Unicode text (no lone surrogates) biased towards what splits and merges differently. */
public final class UnicodeText {

    private UnicodeText() {}

    /** Up to 40 code points: ASCII, white space of every kind, combining marks, BMP and astral planes, controls. */
    public static Arbitrary<String> any() {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(2, Arbitraries.of(0x20, 0x27, 0x0A, 0x09, 0x0D, 0xA0, 0x85, 0x3000, 0x200D, 0x301, 0x73)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0x10FFFF)),
                Tuple.of(1, Arbitraries.integers().between(0, 0x1F)));
        return codePoints.list().ofMaxSize(40).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }
}
