#!/usr/bin/env python3
"""Shows the order in which Keras 3 `fit(shuffle=True)` on TensorFlow feeds the training samples,
epoch by epoch, with and without keras.utils.set_random_seed: a probe layer records the samples
(0, 1, ..., 99) of each batch. Docs/Reproduction.md explains why this matters for comparisons.

Usage: python3 Bench/frameworks/keras_shuffle_order.py
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def epoch_orders(seed, epochs=3, samples=100, batch=32):
    """The sample order of each epoch of fit(shuffle=True); seed None leaves the generators unseeded."""
    import numpy as np
    import keras
    import tensorflow as tf
    if seed is not None:
        keras.utils.set_random_seed(seed)
    seen = []

    class Probe(keras.layers.Layer):
        def call(self, x):
            tf.py_function(lambda v: seen.append(v.numpy().ravel().astype(int).tolist()), [x], [])
            return x

    x = np.arange(samples, dtype=np.float32).reshape(samples, 1)
    m = keras.Sequential([keras.Input((1,)), Probe(), keras.layers.Dense(1)])
    m.compile("sgd", "mse")
    m.fit(x, np.zeros_like(x), batch_size=batch, epochs=epochs, shuffle=True, verbose=0)
    per_epoch = -(-samples // batch)
    return [sum(seen[e * per_epoch:(e + 1) * per_epoch], []) for e in range(epochs)]


def main():
    import json
    import subprocess
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == "--child":  # one case per process: seeds are global
        print(json.dumps(epoch_orders(None if sys.argv[2] == "none" else int(sys.argv[2]))))
        return
    import keras
    import tensorflow as tf
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}")
    for seed in ("1", "2", "none"):
        out = subprocess.run([sys.executable, __file__, "--child", seed], capture_output=True, text=True, check=True)
        orders = json.loads(out.stdout.strip().splitlines()[-1])
        same = all(o == orders[0] for o in orders)
        label = f"keras.utils.set_random_seed({seed})" if seed != "none" else "no seed"
        print(f"{label}: first samples of epochs 1-3 {[o[:6] for o in orders]}: "
              f"{'the same permutation every epoch' if same else 'a new permutation every epoch'}")


if __name__ == "__main__":
    main()
