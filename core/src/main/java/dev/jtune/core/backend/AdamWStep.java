package dev.jtune.core.backend;

/**
 * The float32 constants of one AdamW update of one parameter (torch's arithmetic), per element:
 * <pre>
 *   p  = p * decay                          (only when decays)
 *   m  = m + w1 * (g - m)
 *   v  = v * beta2 + w2 * g * g
 *   p  = p + stepSize * m / (sqrt(v) / bc2Sqrt + eps)
 * </pre>
 * with {@code decay = 1 - lr * weight_decay}, {@code w1 = 1 - beta1}, {@code w2 = 1 - beta2},
 * {@code stepSize = -lr / (1 - beta1^t)} and {@code bc2Sqrt = sqrt(1 - beta2^t)}.
 */
public record AdamWStep(boolean decays, float decay, float w1, float beta2, float w2, float stepSize, float bc2Sqrt,
                        float eps) {}
