# task: ch3-train-step
# feedback: the KL is left out of the gradient
# A typical mistake: the loss differentiated is the reconstruction alone; the KL is only reported.
import tensorflow as tf


def elbo_train_step(vae, x):
    with tf.GradientTape() as tape:
        reconstruction, kl = vae.elbo_terms(x)
    gradients = tape.gradient(reconstruction, vae.trainable_weights)
    vae.optimizer.apply_gradients(zip(gradients, vae.trainable_weights, strict=True))
    return reconstruction, kl
