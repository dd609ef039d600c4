#!/usr/bin/env python3
"""Trains an rnnscope character model with PyTorch, on one process or data-parallel with torchrun, and writes an
rnnscope model file: for a model bigger than one machine trains in good time.

    python3 scripts/train_pytorch.py --corpus ../shared/corpora/tinyshakespeare.txt --cell lstm --hidden 512 \\
        --layers 2 --dropout 0.3 --steps 20000 --out big.safetensors
    torchrun --nproc_per_node 2 scripts/train_pytorch.py …          # two processes on this machine (gloo)
    torchrun --nnodes 4 --nproc_per_node 8 … scripts/train_pytorch.py --backend nccl …   # a GPU cluster

The model is the README's CharModel (nn.RNN / nn.LSTM / nn.GRU, seq-first, and an nn.Linear decoder), with
dropout as `rnnscope train --dropout` has it (nn.LSTM(dropout=p) between layers and an nn.Dropout before the
decoder). The data are rnnscope's: the last ⌊chars · valFraction⌋ characters are held out; the rest is cut into
`batch` contiguous streams, each step reads the next window of `seqLen` characters of every stream and carries the
recurrent state (truncated backpropagation through time), and all streams start again with a zero state when one
has no full window left. The vocabulary is every character of the text, sorted, as rnnscope's. Optimizers,
clipping, weight decay and the schedules are the PyTorch ones rnnscope's follow (Adam/AdamW β 0.9, 0.999, ε 1e-8;
RMSprop α 0.99, ε 1e-8; Adagrad ε 1e-10; SGD momentum 0.9; warm-up LinearLR(start_factor=0.01), then
CosineAnnealingLR(T_max = scheduleSteps − warmup, eta_min = minLr) or StepLR).

Data-parallel: each of the world's processes takes an equal, contiguous share of the streams (`batch` must be a
multiple of the world size) and DistributedDataParallel averages the gradients, so every process holds the same
weights, and the run is the single-process run's to float rounding. Process 0 evaluates and writes the file.

The file is what `rnnscope train` writes: F32 tensors (or F16 / BF16 with --dtype), named as the state_dict, and
metadata `cell`, `vocab`, `step`, `train_config` (these settings and the corpus, so `rnnscope train --resume`
goes on from them) and `nonlinearity` for a ReLU RNN. It opens in the page, the element, the instruments and
`rnnscope eval`, which computes the loss printed here (`--val-chars` held-out characters, from a zero state).

Needs `pip install torch safetensors`. Not run by the tests or CI; scripts/check_train_pytorch.sh runs it under
torchrun on two CPU processes and checks the file with rnnscope.
"""
import argparse
import json
import math
import os
import struct
import sys
import time

import torch
import torch.distributed as dist
import torch.nn as nn
from safetensors.torch import save_file

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


class CharModel(nn.Module):
    """The README's CharModel, with rnnscope's dropout (which has no parameters: the state_dict is the same)."""

    def __init__(self, V, H, L, cell, nonlinearity="tanh", dropout=0.0):
        super().__init__()
        if cell == "rnn":
            self.rnn = nn.RNN(V, H, L, nonlinearity=nonlinearity, dropout=dropout if L > 1 else 0.0)
        else:
            self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](V, H, L, dropout=dropout if L > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.decoder = nn.Linear(H, V)

    def forward(self, x_onehot, state=None):
        out, state = self.rnn(x_onehot, state)
        return self.decoder(self.drop(out)), state


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", required=True, help="training text: a UTF-8 file")
    p.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm")
    p.add_argument("--nonlinearity", choices=["tanh", "relu"], default="tanh")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--seq-len", type=int, default=64)
    p.add_argument("--batch", type=int, default=32, help="streams per step, over all processes")
    p.add_argument("--optimizer", choices=["adam", "adamw", "rmsprop", "adagrad", "sgd"], default="adam")
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--clip", type=float, default=5.0, help="largest global gradient norm (0: no clipping)")
    p.add_argument("--weight-decay", type=float, default=None, help="default 0.01 for adamw, 0 otherwise")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--schedule", choices=["constant", "cosine", "step"], default="constant")
    p.add_argument("--warmup", type=int, default=0)
    p.add_argument("--schedule-steps", type=int, default=None, help="the cosine's length (default --steps) or the step decay's interval")
    p.add_argument("--min-lr", type=float, default=0.0)
    p.add_argument("--gamma", type=float, default=0.1)
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--val-chars", type=int, default=100_000)
    p.add_argument("--dtype", choices=["f32", "f16", "bf16"], default="f32")
    p.add_argument("--threads", type=int, default=0, help="torch threads per process (0: PyTorch's default)")
    p.add_argument("--backend", default=None, help="torch.distributed backend under torchrun (default: nccl on GPUs, gloo on CPUs)")
    p.add_argument("--log-every", type=int, default=100)
    p.add_argument("--out", default="model.safetensors")
    a = p.parse_args(argv)
    problems = []
    if not 0.0 <= a.val_fraction <= 0.5:
        problems.append("--val-fraction must be in [0, 0.5]")
    if not 0.0 <= a.dropout < 1.0:
        problems.append("--dropout must be in [0, 1)")
    for name in ["hidden", "layers", "seq_len", "batch", "steps"]:
        if getattr(a, name) < 1:
            problems.append(f"--{name.replace('_', '-')} must be at least 1")
    if problems:
        p.error("; ".join(problems))
    if a.weight_decay is None:
        a.weight_decay = 0.01 if a.optimizer == "adamw" else 0.0
    if a.schedule_steps is None:
        a.schedule_steps = a.steps
    return a


def held_out_count(n, fraction):
    """rnnscope's held-out length: ⌊n · fraction⌋ with the fraction rounded to f32, as the trainer holds it."""
    f32 = struct.unpack("<f", struct.pack("<f", fraction))[0]
    return int(n * f32)


def train_config(a):
    """The settings as rnnscope's `train_config` spells them, with only the optional ones that were given."""
    config = {"cell": a.cell, "hidden": a.hidden, "layers": a.layers, "seqLen": a.seq_len, "batch": a.batch,
              "optimizer": a.optimizer, "lr": a.lr, "clip": a.clip, "seed": a.seed, "valFraction": a.val_fraction}
    if a.cell == "rnn":
        config["nonlinearity"] = a.nonlinearity
    if a.weight_decay != (0.01 if a.optimizer == "adamw" else 0.0):
        config["weightDecay"] = a.weight_decay
    if a.dropout > 0:
        config["dropout"] = a.dropout
    if a.schedule != "constant":
        config["schedule"] = a.schedule
        config["scheduleSteps"] = a.schedule_steps
        if a.schedule == "cosine":
            config["minLr"] = a.min_lr
        else:
            config["gamma"] = a.gamma
    if a.warmup > 0:
        config["warmup"] = a.warmup
    config["corpus"] = a.corpus
    return config


def optimizer_for(a, params):
    if a.optimizer == "adam":
        return torch.optim.Adam(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=a.weight_decay)
    if a.optimizer == "adamw":
        return torch.optim.AdamW(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=a.weight_decay)
    if a.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=a.lr, alpha=0.99, eps=1e-8, weight_decay=a.weight_decay)
    if a.optimizer == "adagrad":
        return torch.optim.Adagrad(params, lr=a.lr, eps=1e-10, weight_decay=a.weight_decay)
    return torch.optim.SGD(params, lr=a.lr, momentum=0.9, weight_decay=a.weight_decay)


def scheduler_for(a, opt):
    """rnnscope's schedule (src/schedule.rs) as torch.optim.lr_scheduler objects; None for a constant rate."""
    S = torch.optim.lr_scheduler
    if a.schedule == "cosine":
        decay = S.CosineAnnealingLR(opt, T_max=max(1, a.schedule_steps - a.warmup), eta_min=a.min_lr)
    elif a.schedule == "step":
        decay = S.StepLR(opt, step_size=a.schedule_steps, gamma=a.gamma)
    else:
        decay = None
    if a.warmup > 0:
        warm = S.LinearLR(opt, start_factor=0.01, total_iters=a.warmup)
        return S.SequentialLR(opt, [warm, decay], milestones=[a.warmup]) if decay else warm
    return decay


def one_hot(ids, V):
    return torch.nn.functional.one_hot(ids, V).to(torch.float32)


def evaluate(model, ids, V, chunk=256):
    """Mean cross-entropy of predicting ids[t+1] from ids[..=t], from a zero state, as `rnnscope eval`."""
    model.eval()
    total, n, state = 0.0, 0, None
    with torch.no_grad():
        for start in range(0, len(ids) - 1, chunk):
            x = ids[start:start + chunk + 1]
            if len(x) < 2:
                break
            logits, state = model(one_hot(x[:-1], V).unsqueeze(1), state)
            total += nn.functional.cross_entropy(logits[:, 0], x[1:], reduction="sum").item()
            n += len(x) - 1
    model.train()
    return total / n


def main(argv=None):
    a = parse_args(argv if argv is not None else sys.argv[1:])
    distributed = "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1
    rank, world = 0, 1
    device = torch.device("cpu")
    if distributed:
        backend = a.backend or ("nccl" if torch.cuda.is_available() else "gloo")
        dist.init_process_group(backend)
        rank, world = dist.get_rank(), dist.get_world_size()
        if backend == "nccl":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
            torch.cuda.set_device(device)
    elif torch.cuda.is_available() and a.backend != "gloo":
        device = torch.device("cuda")
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    if a.batch % world:
        sys.exit(f"train_pytorch: --batch {a.batch} is not a multiple of the {world} processes")

    with open(a.corpus, encoding="utf-8", newline="") as f:
        text = f.read()
    vocab = sorted(set(text))
    V = len(vocab)
    index = {c: i for i, c in enumerate(vocab)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    held = held_out_count(len(ids), a.val_fraction)
    train_ids, val_ids = ids[:len(ids) - held], ids[len(ids) - held:][:a.val_chars]
    stream_len = len(train_ids) // a.batch
    if stream_len < a.seq_len + 1:
        sys.exit(f"train_pytorch: {len(train_ids)} training characters make streams of {stream_len}, shorter than a window of {a.seq_len} + 1")
    per = a.batch // world
    streams = train_ids[: stream_len * a.batch].view(a.batch, stream_len)[rank * per:(rank + 1) * per].t().contiguous()

    torch.manual_seed(a.seed)  # the same initial weights in every process
    model = CharModel(V, a.hidden, a.layers, a.cell, a.nonlinearity, a.dropout).to(device)
    net = nn.parallel.DistributedDataParallel(model) if distributed else model
    opt = optimizer_for(a, model.parameters())
    sched = scheduler_for(a, opt)
    torch.manual_seed(a.seed + 1 + rank)  # each process's own dropout masks
    if rank == 0:
        params = sum(p.numel() for p in model.parameters())
        print(f"train_pytorch: {a.cell} {a.layers}×{a.hidden}, {V} characters, {params} parameters; {world} process(es) "
              f"on {device}, {torch.get_num_threads()} thread(s) each; {len(train_ids)} training characters, "
              f"{len(val_ids)} held out for validation", flush=True)

    pos, state, smooth = 0, None, math.log(V)
    start = time.perf_counter()
    for step in range(1, a.steps + 1):
        if pos + a.seq_len + 1 > stream_len:
            pos, state = 0, None
        window = streams[pos:pos + a.seq_len + 1].to(device)
        pos += a.seq_len
        if state is not None:
            state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        logits, state = net(one_hot(window[:-1], V), state)
        loss = nn.functional.cross_entropy(logits.reshape(-1, V), window[1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        if sched is not None:
            sched.step()
        smooth = 0.99 * smooth + 0.01 * loss.item()
        if rank == 0 and (step % a.log_every == 0 or step == a.steps):
            rate = step * a.seq_len * a.batch / (time.perf_counter() - start)
            print(f"step {step}/{a.steps}  loss {loss.item():.4f}  smooth {smooth:.4f}  {rate / 1000:.1f}k chars/s", flush=True)

    if rank == 0:
        model = model.cpu()
        val = evaluate(model, val_ids, V) if len(val_ids) >= 2 else float("nan")
        dtype = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[a.dtype]
        tensors = {k: v.detach().to(dtype).contiguous() for k, v in model.state_dict().items()}
        metadata = {"cell": a.cell, "vocab": json.dumps(vocab, ensure_ascii=False), "step": str(a.steps),
                    "train_config": json.dumps(train_config(a), separators=(",", ":"))}
        if a.cell == "rnn" and a.nonlinearity == "relu":
            metadata["nonlinearity"] = "relu"
        save_file(tensors, a.out, metadata=metadata)
        seconds = time.perf_counter() - start
        print(f"train_pytorch: {a.steps} steps in {seconds:.1f} s; validation loss {val:.6f} on {len(val_ids)} "
              f"held-out characters (f32 weights); saved {a.out} ({a.dtype})", flush=True)
        print(json.dumps({"steps": a.steps, "seconds": seconds, "val_loss": val, "val_chars": len(val_ids), "out": a.out, "world": world}))
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
