#!/usr/bin/env python3
"""TensorFlow / Keras reference throughput of the Keras CIFAR-10 tutorial CNN on this machine.

Times, on one thread budget per process (TensorFlow fixes its thread pools at start-up), the
training of the tutorial model (Adam, epsilon 1e-7, sparse categorical cross-entropy from logits)
at batch 32, 64 and 128 by three paths: `model.fit` over an in-memory dataset, a `tf.function`
train step, and the same step compiled by XLA (`jit_compile=True`); and inference at batch 128
(`tf.function` and XLA). Writes rows that `compare.py` pairs with `convbench` runs made
alternately on the same machine.

Usage: python3 Bench/frameworks/tf_reference.py [--threads 1,2] [--json FILE] [--min-time 1.0]
(several thread counts run one child process each; their rows are merged)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="intra-op thread counts, comma-separated")
    parser.add_argument("--min-time", type=float, default=1.0, help="seconds of timed batches per row at least")
    parser.add_argument("--json", help="write the rows as JSON to this file")
    args = parser.parse_args()
    try:
        counts = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        sys.exit(f"--threads takes positive integers separated by commas, got '{args.threads}'")
    if len(counts) > 1:
        merged = None
        for t in counts:
            with tempfile.NamedTemporaryFile(suffix=".json") as part:
                subprocess.run([sys.executable, __file__, "--threads", str(t), "--min-time", str(args.min_time),
                                "--json", part.name], check=True)
                rows = json.load(open(part.name))
            merged = rows if merged is None else dict(merged, rows=merged["rows"] + rows["rows"])
        if args.json:
            with open(args.json, "w") as f:
                json.dump(merged, f, indent=1)
        return
    args.threads = counts[0]
    try:
        import tensorflow as tf
    except ImportError:
        sys.exit("tf_reference.py needs TensorFlow: pip install tensorflow-cpu==2.21.0")
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    from keras_tutorial import tutorial_model

    def model():
        return tutorial_model(keras, 0)

    def timed(step, images):
        for _ in range(5):
            step()
        times, start = [], time.perf_counter()
        while len(times) < 11 or time.perf_counter() - start < args.min_time:
            t = time.perf_counter()
            step()
            times.append(time.perf_counter() - t)
        return statistics.median(times), min(times)

    rows = []

    def record(name, path, batch, median, best):
        rows.append(dict(group="train", name=name, passName=path, threads=args.threads, milliseconds=median * 1e3,
                         bestMilliseconds=best * 1e3, value=batch / median, unit="images/s"))
        print(f"train  {name:16} {path:16} {args.threads:3d} {median * 1e3:9.3f} {best * 1e3:9.3f} {batch / median:9.1f} images/s",
              flush=True)

    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, {args.threads} intra-op threads")
    for batch in (32, 64, 128):
        x = tf.random.uniform((batch, 32, 32, 3))
        y = tf.random.uniform((batch,), 0, 10, dtype=tf.int32)
        name = f"training b{batch}"

        # model.fit: 32 batches per epoch from an in-memory dataset; time per batch of whole epochs.
        m = model()
        data = tf.data.Dataset.from_tensor_slices((tf.tile(x, [32, 1, 1, 1]), tf.tile(y, [32]))).batch(batch).cache()
        m.fit(data, epochs=1, verbose=0)
        epochs = []
        start = time.perf_counter()
        while len(epochs) < 3 or time.perf_counter() - start < args.min_time:
            t = time.perf_counter()
            m.fit(data, epochs=1, verbose=0)
            epochs.append((time.perf_counter() - t) / 32)
        record(name, "fit", batch, statistics.median(epochs), min(epochs))

        for jit in (False, True):
            m = model()
            loss_fn, opt = m.loss, m.optimizer

            @tf.function(jit_compile=jit)
            def train_step(m=m, loss_fn=loss_fn, opt=opt):
                with tf.GradientTape() as tape:
                    loss = loss_fn(y, m(x, training=True))
                grads = tape.gradient(loss, m.trainable_variables)
                opt.apply_gradients(zip(grads, m.trainable_variables))
                return loss

            record(name, "xla step" if jit else "step", batch, *timed(train_step, batch))

    x = tf.random.uniform((128, 32, 32, 3))
    for jit in (False, True):
        m = model()
        infer = tf.function(lambda v, m=m: m(v, training=False), jit_compile=jit)
        record("inference b128", "xla predict" if jit else "predict", 128, *timed(lambda: infer(x), 128))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(tensorflow=tf.__version__, rows=rows), f, indent=1)


if __name__ == "__main__":
    main()
