#!/usr/bin/env python3
"""Keras and PyTorch trained from the same start on the same batches, to tell arithmetic from
chance in Docs/Reproduction.md: Keras' initial weights (keras.utils.set_random_seed(seed)) are
copied into the PyTorch model; every epoch draws one NumPy permutation (seeded) that both
frameworks follow; PyTorch runs twice, with torch.optim.Adam (epsilon added to sqrt(v_hat)) and
with Keras' form of the update (epsilon added to sqrt(v), the step size bias-corrected). Prints
the largest weight difference after the first step, then each run's test accuracy.

Usage: python3 Bench/frameworks/keras_torch_same_start.py --data ../shared/data/cifar10-subset --seeds 1,2,3,4
"""
import copy
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
from cifar10_folder import load_folder, parse_arguments  # noqa: E402


class KerasFormAdam:
    """Adam as Keras 3 updates (learning rate 1e-3, betas 0.9 / 0.999, epsilon 1e-7)."""

    def __init__(self, parameters, torch):
        self.torch = torch
        self.parameters = list(parameters)
        self.m = [torch.zeros_like(p) for p in self.parameters]
        self.v = [torch.zeros_like(p) for p in self.parameters]
        self.t = 0

    def zero_grad(self):
        for p in self.parameters:
            p.grad = None

    def step(self):
        self.t += 1
        alpha = 1e-3 * (1 - 0.999 ** self.t) ** 0.5 / (1 - 0.9 ** self.t)
        with self.torch.no_grad():
            for p, m, v in zip(self.parameters, self.m, self.v):
                m.add_((p.grad - m) * 0.1)
                v.add_((p.grad * p.grad - v) * 0.001)
                p.sub_(m * alpha / (v.sqrt() + 1e-7))


def torch_layout(w):
    """A Keras kernel in PyTorch's layout (OIHW; Linear as out x in, Flatten of NCHW)."""
    if w.ndim == 4:
        return w.transpose(3, 2, 0, 1)
    if w.shape[0] == 1024:  # the Dense after Flatten: Keras flattens 4x4x64 HWC, PyTorch CHW
        w = w.reshape(4, 4, 64, 64).transpose(2, 0, 1, 3).reshape(1024, 64)
    return w.T


def copy_weights(keras_model, torch_model, torch):
    """Keras' kernels and biases into the PyTorch model, layer by layer."""
    keras_layers = [layer for layer in keras_model.layers if layer.weights]
    torch_layers = [m for m in torch_model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    for k, t in zip(keras_layers, torch_layers):
        w, b = (v.numpy() for v in k.weights)
        t.weight.data = torch.from_numpy(torch_layout(w).copy()).contiguous()
        t.bias.data = torch.from_numpy(b.copy())
    return keras_layers, torch_layers


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    import keras
    import torch
    import torch.nn.functional as F
    from keras_tutorial import tutorial_model
    from torch_reference import cifar_model
    x, y, xt, yt = load_folder(args.data)
    x_torch = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    y_torch = torch.from_numpy(y).long()
    xt_torch = torch.from_numpy(xt).permute(0, 3, 1, 2).contiguous()

    def torch_adam(model):
        return torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)

    def torch_step(model, opt, idx):
        loss = F.cross_entropy(model(x_torch[idx]), y_torch[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()

    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        orders = [rng.permutation(len(x)) for _ in range(args.epochs)]
        first = orders[0][:32] if orders else np.arange(32)

        # One step from the same start on the same batch: how far apart the updates are.
        k_probe, t_probe = tutorial_model(keras, seed), cifar_model()
        keras_layers, torch_layers = copy_weights(k_probe, t_probe, torch)
        k_probe.train_on_batch(x[first], y[first])
        torch_step(t_probe, torch_adam(t_probe), torch.from_numpy(first))
        step_difference = max(np.abs(torch_layout(k.weights[0].numpy()) - t.weight.detach().numpy()).max()
                              for k, t in zip(keras_layers, torch_layers))

        km, tm = tutorial_model(keras, seed, metrics=["accuracy"]), cifar_model()
        copy_weights(km, tm, torch)
        tm_keras_adam = copy.deepcopy(tm)
        for order in orders:
            km.fit(x[order], y[order], batch_size=32, epochs=1, shuffle=False, verbose=0)
        keras_accuracy = km.evaluate(xt, yt, verbose=0)[1]

        def train(model, opt):
            for order in orders:
                for i in range(0, len(x), 32):
                    torch_step(model, opt, torch.from_numpy(order[i:i + 32]))
            model.eval()
            with torch.no_grad():
                return (model(xt_torch).argmax(1).numpy() == yt).mean()

        torch_accuracy = train(tm, torch_adam(tm))
        keras_adam_accuracy = train(tm_keras_adam, KerasFormAdam(tm_keras_adam.parameters(), torch))
        print(f"seed {seed}: largest weight difference after one step {step_difference:.2e}; test accuracy "
              f"Keras {keras_accuracy * 100:.2f}%, PyTorch {torch_accuracy * 100:.2f}%, "
              f"PyTorch with Keras' Adam {keras_adam_accuracy * 100:.2f}%", flush=True)


if __name__ == "__main__":
    main()
