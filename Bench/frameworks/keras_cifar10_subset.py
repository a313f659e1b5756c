#!/usr/bin/env python3
"""The Keras CIFAR-10 tutorial CNN trained on a CIFAR-10 binary folder, as Docs/Reproduction.md
compares ConvKit with: pixels / 255, Conv2D(32)-MaxPool-Conv2D(64)-MaxPool-Conv2D(64)-Flatten-
Dense(64)-Dense(10), Adam (1e-3, epsilon 1e-7), sparse cross-entropy from logits, batch 32,
10 epochs, shuffled each epoch; prints the test accuracy per seed.

Usage: python3 Bench/frameworks/keras_cifar10_subset.py --data ../shared/data/cifar10-subset --seeds 1,2,3
"""
import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np


def load(path):
    """Records of one official-format file: (images N x 32 x 32 x 3 in [0, 1], labels)."""
    try:
        raw = np.fromfile(path, dtype=np.uint8)
    except OSError as e:
        sys.exit(f"{path}: {e}")
    if raw.size == 0 or raw.size % 3073:
        sys.exit(f"{path}: {raw.size} bytes is not a whole number of 3073-byte records")
    rec = raw.reshape(-1, 3073)
    labels = rec[:, 0].astype(np.int32)
    if labels.max() > 9:
        sys.exit(f"{path}: label {labels.max()} above 9")
    images = rec[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype(np.float32) / 255.0
    return images, labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with data_batch_1..5.bin and test_batch.bin")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    import tensorflow as tf
    import keras
    from keras_tutorial import tutorial_model
    train = [load(os.path.join(args.data, f"data_batch_{i}.bin")) for i in range(1, 6)]
    x = np.concatenate([t[0] for t in train])
    y = np.concatenate([t[1] for t in train])
    xt, yt = load(os.path.join(args.data, "test_batch.bin"))
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}: {len(x)} training, {len(xt)} test images")
    for seed in [int(s) for s in args.seeds.split(",")]:
        m = tutorial_model(keras, seed, metrics=["accuracy"])
        history = m.fit(x, y, batch_size=32, epochs=args.epochs, shuffle=True, verbose=0)
        for e, (l, a) in enumerate(zip(history.history["loss"], history.history["accuracy"]), 1):
            print(f"  epoch {e}: training loss {l:.4f}, accuracy {a * 100:.2f}%")
        loss, acc = m.evaluate(xt, yt, verbose=0)
        print(f"seed {seed}: test accuracy {acc * 100:.2f}%, test loss {loss:.4f}", flush=True)


if __name__ == "__main__":
    main()
