package dev.jtune.core.backend;

/**
 * The float32 constants of one AdamW update of one parameter (torch's arithmetic), per element:
 * <pre>
 *   g  = g * gradScale                      (read, not stored back)
 *   p  = p * decay                          (only when decays)
 *   m  = m + w1 * (g - m)
 *   v  = v * beta2 + w2 * g * g
 *   p  = p + stepSize * m / (sqrt(v) / bc2Sqrt + eps)
 * </pre>
 * with {@code decay = 1 - lr * weight_decay}, {@code w1 = 1 - beta1}, {@code w2 = 1 - beta2},
 * {@code stepSize = -lr / (1 - beta1^t)} and {@code bc2Sqrt = sqrt(1 - beta2^t)}. {@code gradScale} is gradient
 * clipping's coefficient ({@code torch.nn.utils.clip_grad_norm_} multiplies every gradient by it before the step; 1
 * when not clipping, which changes no bit): applied as the gradient is read, it saves a pass over the gradients.
 */
public record AdamWStep(boolean decays, float decay, float w1, float beta2, float w2, float stepSize, float bc2Sqrt,
                        float eps, float gradScale) {}
