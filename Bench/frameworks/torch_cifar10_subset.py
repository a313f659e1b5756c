#!/usr/bin/env python3
"""The Keras CIFAR-10 tutorial CNN trained with PyTorch on a CIFAR-10 binary folder: a third
implementation beside Keras and ConvKit for Docs/Reproduction.md. Same model, Glorot-uniform
weights and zero biases, Adam (1e-3, epsilon 1e-7), cross-entropy from logits, batch 32 with the
last batch partial, 10 epochs, reshuffled every epoch; prints the test accuracy per seed.

Usage: python3 Bench/frameworks/torch_cifar10_subset.py --data ../shared/data/cifar10-subset --seeds 1,2,3
"""
import torch
import torch.nn.functional as F

from cifar10_folder import load_folder, parse_arguments, write_runs
from torch_reference import cifar_model


def main():
    args = parse_arguments(__doc__.splitlines()[0])
    x_np, y_np, xt_np, yt_np = load_folder(args.data)
    x, y = torch.from_numpy(x_np).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y_np).long()
    xt, yt = torch.from_numpy(xt_np).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(yt_np).long()
    print(f"PyTorch {torch.__version__}: {len(x)} training, {len(xt)} test images")
    runs = []
    for seed in args.seeds:
        torch.manual_seed(seed)
        model = cifar_model()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
        epochs = []
        for epoch in range(1, args.epochs + 1):
            model.train()
            order = torch.randperm(len(x))
            total, correct = 0.0, 0
            for i in range(0, len(x), 32):
                idx = order[i:i + 32]
                logits = model(x[idx].contiguous(memory_format=torch.channels_last))
                loss = F.cross_entropy(logits, y[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
                correct += (logits.argmax(1) == y[idx]).sum().item()
            print(f"  epoch {epoch}: training loss {total / len(x):.4f}, accuracy {correct / len(x) * 100:.2f}%", flush=True)
            epochs.append({"loss": total / len(x), "accuracy": correct / len(x)})
        model.eval()
        with torch.inference_mode():
            logits = model(xt.contiguous(memory_format=torch.channels_last))
            test_loss = F.cross_entropy(logits, yt).item()
            acc = (logits.argmax(1) == yt).float().mean().item()
        print(f"seed {seed}: test accuracy {acc * 100:.2f}%, test loss {test_loss:.4f}", flush=True)
        runs.append({"seed": seed, "test_accuracy": acc, "test_loss": test_loss, "epochs": epochs})
    if args.json:
        write_runs(args.json, f"PyTorch {torch.__version__}", "every-epoch", runs)


if __name__ == "__main__":
    main()
