# task: ch3-train-step
# feedback: the KL has the wrong sign
# A typical mistake: the ELBO's minus sign carried into the loss, so the step pushes the KL up.
import tensorflow as tf


def elbo_train_step(vae, x):
    with tf.GradientTape() as tape:
        reconstruction, kl = vae.elbo_terms(x)
        loss = reconstruction - vae.beta * kl
    gradients = tape.gradient(loss, vae.trainable_weights)
    vae.optimizer.apply_gradients(zip(gradients, vae.trainable_weights, strict=True))
    return reconstruction, kl
