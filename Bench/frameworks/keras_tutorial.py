"""The Keras CIFAR-10 tutorial CNN, shared by tf_reference.py and keras_cifar10_subset.py."""


def tutorial_model(keras, seed, metrics=()):
    """Conv2D(32)-MaxPool-Conv2D(64)-MaxPool-Conv2D(64)-Flatten-Dense(64)-Dense(10) logits with
    Keras' default initialisers, compiled with Adam (1e-3, epsilon 1e-7) and sparse
    cross-entropy from logits; `seed` seeds Keras' generators first."""
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"), keras.layers.Dense(10)])
    m.compile(optimizer=keras.optimizers.Adam(1e-3, epsilon=1e-7),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=list(metrics))
    return m
