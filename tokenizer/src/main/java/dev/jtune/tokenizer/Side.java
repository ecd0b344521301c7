package dev.jtune.tokenizer;

/** Which end of a sequence padding is added to or truncation removes from. */
public enum Side {
    LEFT, RIGHT
}
