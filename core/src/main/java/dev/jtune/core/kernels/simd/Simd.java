package dev.jtune.core.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * What every SIMD kernel shares: the vector species it computes with and the switch to its scalar twin.
 *
 * <p>{@code -Djtune.simd=false} makes every kernel in this package take its scalar path.
 */
public final class Simd {

    /** The widest float vector this CPU runs natively (16 lanes with AVX-512). */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** False when {@code -Djtune.simd=false}: kernels then run their scalar twins. */
    public static final boolean ENABLED = !"false".equals(System.getProperty("jtune.simd"));

    private Simd() {}
}
