# task: ch3-train-step
# feedback: no update was applied
# A typical mistake: the gradients computed and never handed to the optimizer.
import tensorflow as tf


def elbo_train_step(vae, x):
    with tf.GradientTape() as tape:
        reconstruction, kl = vae.elbo_terms(x)
        loss = reconstruction + vae.beta * kl
    tape.gradient(loss, vae.trainable_weights)
    return reconstruction, kl
