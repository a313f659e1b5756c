#!/usr/bin/env python3
"""The course notes' digits grid search in Keras, for a same-machine comparison with
`course digits`: the 8x8 digits (raw pixels 0..16), an 80/20 split, 100 epochs at batch 100 of
plain SGD with learning rate eta and categorical cross-entropy with an L2 penalty lambda on every
kernel, over eta, lambda in 1e-5 ... 1e1; `keras.utils.set_random_seed(seed)` before each cell.

Usage: python3 Bench/frameworks/keras_digits_grid.py --network dense|cnn --data optdigits-8x8.csv
           [--threads 2] [--json out.json]
Writes the cells (training and test accuracy) and the grid's wall time; `course digits
--keras-json out.json` puts that time beside ConvNN's in its report.
"""
import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402

VALUES = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--network", choices=["dense", "cnn"], default="dense")
    parser.add_argument("--data", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--json")
    args = parser.parse_args()

    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras
    from keras import layers, regularizers

    table = np.loadtxt(args.data, delimiter=",", dtype=np.float32)
    x, y = table[:, :64].reshape(-1, 8, 8, 1), table[:, 64].astype(np.int64)
    order = np.random.default_rng(args.seed).permutation(len(x))
    split = int(0.8 * len(x))
    train, test = order[:split], order[split:]
    onehot = np.eye(10, dtype=np.float32)[y]

    def model(lam):
        l2 = regularizers.l2(lam)
        if args.network == "dense":
            stack = [layers.Input((8, 8, 1)), layers.Flatten(),
                     layers.Dense(50, activation="sigmoid", kernel_regularizer=l2),
                     layers.Dense(10, activation="softmax", kernel_regularizer=l2)]
        else:
            stack = [layers.Input((8, 8, 1)), layers.Conv2D(10, (3, 3), activation="relu", kernel_regularizer=l2),
                     layers.MaxPooling2D((2, 2)), layers.Flatten(),
                     layers.Dense(50, activation="relu", kernel_regularizer=l2),
                     layers.Dense(10, activation="softmax", kernel_regularizer=l2)]
        return keras.Sequential(stack)

    cells = []
    start = time.time()
    for lam in VALUES:
        for eta in VALUES:
            keras.utils.set_random_seed(args.seed)
            m = model(lam)
            m.compile(optimizer=keras.optimizers.SGD(learning_rate=eta), loss="categorical_crossentropy", metrics=["accuracy"])
            m.fit(x[train], onehot[train], epochs=args.epochs, batch_size=100, verbose=0)
            tr = m.evaluate(x[train], onehot[train], verbose=0)[1]
            te = m.evaluate(x[test], onehot[test], verbose=0)[1]
            cells.append({"learningRate": eta, "lambda": lam, "trainingAccuracy": float(tr), "testAccuracy": float(te)})
            print("eta %g, lambda %g: train %.4f, test %.4f" % (eta, lam, tr, te), flush=True)
    seconds = time.time() - start
    best = max(cells, key=lambda c: c["testAccuracy"])
    print("best test accuracy %.4f at eta %g, lambda %g; %.1f s" % (best["testAccuracy"], best["learningRate"], best["lambda"], seconds))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"framework": "Keras %s, TensorFlow %s" % (keras.__version__, tf.__version__), "threads": args.threads,
                       "seconds": seconds, "cells": cells}, f, indent=1)


if __name__ == "__main__":
    main()
