#!/usr/bin/env python3
"""PyTorch (oneDNN) reference timings for same-machine comparisons with convbench.

Times, with PyTorch's CPU kernels in channels_last (NHWC) layout, the same cases as
`convbench`: the three CIFAR-10 conv layers at batch 64 (forward, backward-data,
backward-weights + bias, through aten.convolution_backward, which runs oneDNN's primitives),
the two CIFAR max-pooling layers (forward with indices, backward), and the Keras tutorial CNN's
training step (forward, cross-entropy, backward, Adam) and inference. Run it alternately with
`convbench` on one machine to get same-run ratios (Bench/frameworks/README.md).

Usage: python3 Bench/frameworks/torch_reference.py [--threads 1,2] [--json FILE] [--min-time 0.2]
"""
import argparse
import json
import statistics
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.exit("torch_reference.py needs PyTorch: pip install --no-deps /opt/wheels/torch-2.13.0+cpu-*.whl "
             "(or any PyTorch 2.x CPU build)")


def timed(fn, min_time, repeat):
    """Median and best seconds of fn() after 3 warm-up calls, over >= repeat calls and min_time s."""
    for _ in range(3):
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < repeat or time.perf_counter() - start < min_time:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times)


CONV_LAYERS = [  # name, input H=W, Cin, Cout (3x3, valid, stride 1, batch 64)
    ("conv1", 32, 3, 32),
    ("conv2", 15, 32, 64),
    ("conv3", 6, 64, 64),
]


def conv_cases(batch=64):
    cases = []
    for name, hw, cin, cout in CONV_LAYERS:
        x = torch.randn(batch, cin, hw, hw).to(memory_format=torch.channels_last)
        w = torch.randn(cout, cin, 3, 3).to(memory_format=torch.channels_last)
        b = torch.randn(cout)
        y = F.conv2d(x, w, b)
        g = torch.randn_like(y).to(memory_format=torch.channels_last)
        flops = 2.0 * batch * cout * y.shape[2] * y.shape[3] * cin * 9

        def backward(mask, g=g, x=x, w=w):
            return torch.ops.aten.convolution_backward(g, x, w, [w.shape[0]], [1, 1], [0, 0], [1, 1], False,
                                                       [0, 0], 1, mask)
        cases += [
            ("conv", name, "forward", flops, lambda x=x, w=w, b=b: F.conv2d(x, w, b)),
            ("conv", name, "backwardData", flops, lambda b=backward: b([True, False, False])),
            ("conv", name, "backwardWeights", flops, lambda b=backward: b([False, True, True])),
        ]
    return cases


def pool_cases(batch=64):
    cases = []
    for name, hw, c in [("pool1 2x2 max", 30, 32), ("pool2 2x2 max", 13, 64)]:
        x = torch.randn(batch, c, hw, hw).to(memory_format=torch.channels_last)
        y, idx = F.max_pool2d(x, 2, return_indices=True)
        g = torch.randn_like(y).to(memory_format=torch.channels_last)
        nbytes = 4 * (x.numel() + 2 * y.numel())
        cases += [
            ("pool", name, "forward", nbytes, lambda x=x: F.max_pool2d(x, 2, return_indices=True)),
            ("pool", name, "backward", nbytes,
             lambda g=g, x=x, idx=idx: torch.ops.aten.max_pool2d_with_indices_backward(g, x, [2, 2], [2, 2], [0, 0],
                                                                                       [1, 1], False, idx)),
        ]
    return cases


def cifar_model():
    """The Keras tutorial CNN, with Keras' Glorot-uniform weights and zero biases."""
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(64, 64, 3), torch.nn.ReLU(), torch.nn.Flatten(),
        torch.nn.Linear(1024, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    return model.to(memory_format=torch.channels_last)


def train_cases():
    cases = []
    for batch in (32, 64, 128):
        model = cifar_model()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
        x = torch.rand(batch, 3, 32, 32).to(memory_format=torch.channels_last)
        labels = torch.randint(0, 10, (batch,))

        def step(model=model, opt=opt, x=x, labels=labels):
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), labels)
            loss.backward()
            opt.step()
        cases.append(("train", f"training b{batch}", "step", batch, step))
    model = cifar_model().eval()
    x = torch.rand(128, 3, 32, 32).to(memory_format=torch.channels_last)

    def infer(model=model, x=x):
        with torch.inference_mode():
            model(x)
    cases.append(("train", "inference b128", "predict", 128, infer))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="1,2", help="thread counts, comma-separated")
    parser.add_argument("--min-time", type=float, default=0.2, help="seconds of timed calls per case at least")
    parser.add_argument("--repeat", type=int, default=11, help="timed calls per case at least")
    parser.add_argument("--groups", default="conv,pool,train", help="comma-separated of conv, pool, train")
    parser.add_argument("--json", help="write the rows as JSON to this file")
    args = parser.parse_args()
    try:
        threads = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        sys.exit(f"--threads takes integers separated by commas, got '{args.threads}'")
    groups = set(args.groups.split(","))
    unknown = groups - {"conv", "pool", "train"}
    if unknown or not threads or min(threads) < 1:
        sys.exit(f"--groups takes conv, pool, train (got {sorted(unknown)}); --threads positive integers")

    torch.manual_seed(0)
    cases = (conv_cases() if "conv" in groups else []) + (pool_cases() if "pool" in groups else []) \
        + (train_cases() if "train" in groups else [])
    print(f"PyTorch {torch.__version__}, oneDNN {torch.backends.mkldnn.is_available()}, channels_last")
    print(f"{'group':6} {'case':16} {'pass':16} {'thr':>3} {'ms':>9} {'best ms':>9} {'rate':>12}")
    rows = []
    for t in threads:
        torch.set_num_threads(t)
        for group, name, pass_, work, fn in cases:
            median, best = timed(fn, args.min_time, args.repeat)
            if group == "conv":
                rate, unit = work / median * 1e-9, "GFLOP/s"
            elif group == "pool":
                rate, unit = work / median * 1e-9, "GB/s"
            else:
                rate, unit = work / median, "images/s"
            rows.append(dict(group=group, name=name, passName=pass_, threads=t, milliseconds=median * 1e3,
                             bestMilliseconds=best * 1e3, value=rate, unit=unit))
            print(f"{group:6} {name:16} {pass_:16} {t:3d} {median * 1e3:9.3f} {best * 1e3:9.3f} {rate:9.1f} {unit}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(torch=torch.__version__, rows=rows), f, indent=1)


if __name__ == "__main__":
    main()
