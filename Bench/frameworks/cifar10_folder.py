"""CIFAR-10 binary folders and the command line shared by keras_cifar10_subset.py and
torch_cifar10_subset.py."""
import argparse
import os
import sys

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


def load_folder(path):
    """(training images, labels, test images, labels) of a folder with data_batch_1..5.bin and
    test_batch.bin; images N x 32 x 32 x 3 float32 in [0, 1] (pixels / 255)."""
    train = [load(os.path.join(path, f"data_batch_{i}.bin")) for i in range(1, 6)]
    x = np.concatenate([t[0] for t in train])
    y = np.concatenate([t[1] for t in train])
    xt, yt = load(os.path.join(path, "test_batch.bin"))
    return x, y, xt, yt


def parse_arguments(description, orders=None):
    """--data FOLDER, --seeds 1,2,3, --epochs 10 and, when `orders` names the choices (the first
    is the default), --order, parsed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", required=True, help="folder with data_batch_1..5.bin and test_batch.bin")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--json", help="also write the runs to this file, for `cifar10 reproduce --reference`")
    if orders:
        parser.add_argument("--order", choices=orders, default=orders[0], help="order of the training images per epoch")
    args = parser.parse_args()
    try:
        args.seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        sys.exit(f"--seeds takes integers separated by commas, got '{args.seeds}'")
    return args


def write_runs(path, framework, order, runs):
    """Writes the runs (dicts with seed, test_accuracy, test_loss, epochs: [{loss, accuracy}]) as
    the JSON that `cifar10 reproduce --reference` reads. `order` is "every-epoch" (a new
    permutation each epoch) or "once" (one permutation repeated, seeded Keras)."""
    import json
    with open(path, "w") as f:
        json.dump({"framework": framework, "order": order, "runs": runs}, f, indent=1)
