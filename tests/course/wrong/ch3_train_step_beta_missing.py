# task: ch3-train-step
# feedback: beta is missing
# A typical mistake: the loss written as the ELBO at beta = 1, ignoring the model's beta.
import tensorflow as tf


def elbo_train_step(vae, x):
    with tf.GradientTape() as tape:
        reconstruction, kl = vae.elbo_terms(x)
        loss = reconstruction + kl
    gradients = tape.gradient(loss, vae.trainable_weights)
    vae.optimizer.apply_gradients(zip(gradients, vae.trainable_weights, strict=True))
    return reconstruction, kl
