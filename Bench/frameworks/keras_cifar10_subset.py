#!/usr/bin/env python3
"""The Keras CIFAR-10 tutorial CNN trained on a CIFAR-10 binary folder, as Docs/Reproduction.md
compares ConvKit with: pixels / 255, Conv2D(32)-MaxPool-Conv2D(64)-MaxPool-Conv2D(64)-Flatten-
Dense(64)-Dense(10), Adam (1e-3, epsilon 1e-7), sparse cross-entropy from logits, batch 32,
10 epochs; prints the test accuracy per seed.

--order keras (the default) is `fit(shuffle=True)` as the tutorial runs it; after
keras.utils.set_random_seed, Keras 3 on TensorFlow repeats one permutation in every epoch (see
keras_shuffle_order.py). --order every-epoch draws a new permutation per epoch with NumPy
(seeded) and fits one epoch at a time with shuffle=False.

Usage: python3 Bench/frameworks/keras_cifar10_subset.py --data ../shared/data/cifar10-subset --seeds 1,2,3 [--order every-epoch]
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
from cifar10_folder import load_folder, parse_arguments, write_runs  # noqa: E402


def main():
    args = parse_arguments(__doc__.splitlines()[0], orders=("keras", "every-epoch"))
    import tensorflow as tf
    import keras
    from keras_tutorial import tutorial_model
    x, y, xt, yt = load_folder(args.data)
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}: {len(x)} training, {len(xt)} test images, order {args.order}")
    runs = []
    for seed in args.seeds:
        m = tutorial_model(keras, seed, metrics=["accuracy"])
        if args.order == "keras":
            h = m.fit(x, y, batch_size=32, epochs=args.epochs, shuffle=True, verbose=0).history
            losses, accuracies = h["loss"], h["accuracy"]
        else:
            rng, losses, accuracies = np.random.default_rng(seed), [], []
            for _ in range(args.epochs):
                order = rng.permutation(len(x))
                h = m.fit(x[order], y[order], batch_size=32, epochs=1, shuffle=False, verbose=0).history
                losses.append(h["loss"][0])
                accuracies.append(h["accuracy"][0])
        for e, (l, a) in enumerate(zip(losses, accuracies), 1):
            print(f"  epoch {e}: training loss {l:.4f}, accuracy {a * 100:.2f}%")
        loss, acc = m.evaluate(xt, yt, verbose=0)
        print(f"seed {seed}: test accuracy {acc * 100:.2f}%, test loss {loss:.4f}", flush=True)
        runs.append({"seed": seed, "test_accuracy": float(acc), "test_loss": float(loss),
                     "epochs": [{"loss": float(l), "accuracy": float(a)} for l, a in zip(losses, accuracies)]})
    if args.json:
        write_runs(args.json, f"Keras {keras.__version__} (TensorFlow {tf.__version__})",
                   "once" if args.order == "keras" else "every-epoch", runs)


if __name__ == "__main__":
    main()
