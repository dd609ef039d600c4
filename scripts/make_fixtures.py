"""Writes the PyTorch reference fixtures used by tests/pytorch_reference.rs, tests/model_file.rs and
tests/training.rs.

Run from the repository root (needs torch, safetensors and numpy from PyPI; CI does not run it, its small
outputs are committed):

    python3 scripts/make_fixtures.py

It writes, under tests/fixtures/:

- <case>.safetensors       a CharModel state_dict (f32) in the rnnscope model-file format (see the README):
                           tensor names as PyTorch's, "cell", "vocab" (JSON list in file order) and, for a
                           relu RNN, "nonlinearity" in the metadata;
- <case>.grad.safetensors  the gradient (f32, same names) of the mean loss below w.r.t. every parameter;
- <case>.json              {"text", "loss", "steps": [{"h": [L][H], "c": [L][H] (LSTM only), "logits": [V]}]}
                           where loss is the mean cross-entropy of predicting text[t+1] from text[..=t] from a
                           zero state (src/eval.rs), and steps[t] are the activations after feeding text[t]
                           (one entry per character of the text);
- optim.json               torch.optim Adam / AdamW(weight_decay=0.01) / RMSprop / Adagrad / SGD(momentum=0.9)
                           / SGD(momentum=0.9, weight_decay=0.01) run for 4 steps on one parameter vector with
                           given gradients, clip_grad_norm_ applied before every step;
- train_<optimizer>.json   3 steps of truncated BPTT (seq_len 4, batch 2, clip 0.45) of the lstm_1 model on its
                           text, each optimizer, as rnnscope's Trainer does it (val_fraction 0): loss per step and
                           all parameters after every step; train_adamw.json with its learning rate scheduled
                           (one step of LinearLR warm-up, then CosineAnnealingLR, as src/schedule.rs);
- dropout.json             one window (T 5, B 2, a non-zero entering state) of every case with dropout 0.4 on
                           every layer's output, its masks (0 or 1 / (1 - p), drawn here, time-major [L][T·B·H]),
                           the loss and every gradient;
- schedules.json           the learning rate of every step of torch.optim.lr_scheduler schedules: LinearLR
                           warm-up then CosineAnnealingLR or StepLR (SequentialLR), as src/schedule.rs defines them.

Every reference is computed in float64 from the same float32 weights (the module is cast to double).
Regenerating gives the same tensors and JSON; only the order of the metadata keys in the safetensors headers
may differ (the safetensors writer keeps them in a hash map).
"""

import json
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")


class CharModel(nn.Module):
    def __init__(self, V, H, L, cell, nonlinearity="tanh"):
        super().__init__()
        if cell == "rnn":
            self.rnn = nn.RNN(V, H, L, nonlinearity=nonlinearity)
        else:
            self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](V, H, L)
        self.decoder = nn.Linear(H, V)

    def forward(self, x_onehot, state=None):  # x_onehot: [T, B, V]
        out, state = self.rnn(x_onehot, state)
        return self.decoder(out), state


# name, cell, nonlinearity, L, H, vocab (file order; deliberately not sorted), text, seed
CASES = [
    ("rnn_1", "rnn", "tanh", 1, 6, ["é", "a", "\n", "日", "b", "—", "😀", "c"], "ab—é\n日😀cab\ncé—a😀", 1),
    ("rnn_relu_2", "rnn", "relu", 2, 7, ["z", "y", "x", "—", "é", "\n", "w", "日", "😀"], "zyx—é\nw日😀zzyé\n—x", 2),
    ("lstm_1", "lstm", None, 1, 6, ["\n", "h", "é", "l", "o", "—", "日", "😀", " ", "w"], "hé日lo— wo😀\nhéllo\nwé", 3),
    ("lstm_2", "lstm", None, 2, 7, ["q", "é", "a", "\n", "😀", "日", "—", "b", "c", "d", "e"], "a😀bcd—e日qé\nabc😀d", 4),
    ("gru_1", "gru", None, 1, 8, ["😀", "日", "—", "é", "\n", "m", "n", "o", "p"], "mnop😀日—é\nmonp\n日", 5),
    ("gru_2", "gru", None, 2, 6, ["k", "j", "i", "h", "g", "f", "\n", "é", "日", "—", "😀", "e"], "kjihg\nfé日—😀ekjé", 6),
]


def metadata(cell, nonlinearity, vocab):
    m = {"cell": cell, "vocab": json.dumps(vocab, ensure_ascii=False), "step": "0"}
    if nonlinearity == "relu":
        m["nonlinearity"] = "relu"
    return m


def onehot(ids, V):
    x = torch.zeros(len(ids), 1, V, dtype=torch.float64)
    for t, i in enumerate(ids):
        x[t, 0, i] = 1.0
    return x


def write_case(name, cell, nonlinearity, L, H, vocab, text, seed):
    assert len(set(vocab)) == len(vocab) and sorted(vocab) != vocab
    assert all(c in vocab for c in text) and len(text) >= 12
    V = len(vocab)
    torch.manual_seed(seed)
    model = CharModel(V, H, L, cell, nonlinearity or "tanh")
    # Larger weights than the default init make every nonlinearity do real work.
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(2.0)
    sd = {k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
    save_file(sd, os.path.join(OUT, f"{name}.safetensors"), metadata(cell, nonlinearity, vocab))

    ref = model.double()
    ids = [vocab.index(c) for c in text]
    # Loss and gradient: one pass over text[:-1], targets text[1:], zero initial state.
    ref.zero_grad()
    logits, _ = ref(onehot(ids[:-1], V))
    loss = F.cross_entropy(logits[:, 0, :], torch.tensor(ids[1:]))
    loss.backward()
    grads = {k: p.grad.detach().float().contiguous() for k, p in ref.named_parameters()}
    assert set(grads) == set(sd)
    save_file(grads, os.path.join(OUT, f"{name}.grad.safetensors"), {"of": name})

    # Per-step activations: feed one character at a time, carrying the state.
    steps = []
    with torch.no_grad():
        state = None
        for i in ids:
            out, state = ref.rnn(onehot([i], V), state)
            h = state[0] if cell == "lstm" else state
            step = {"h": h[:, 0, :].tolist(), "logits": ref.decoder(out)[0, 0].tolist()}
            if cell == "lstm":
                step["c"] = state[1][:, 0, :].tolist()
            steps.append(step)
        # The step-by-step run must agree with the one-pass run.
        assert np.allclose(np.array([s["logits"] for s in steps[:-1]]), logits[:, 0, :].detach().numpy())
    with open(os.path.join(OUT, f"{name}.json"), "w", encoding="utf-8") as f:
        json.dump({"text": text, "loss": loss.item(), "steps": steps}, f, ensure_ascii=False)
    return model


def r(xs):
    """Nine significant digits are plenty for f32 comparisons and keep the JSON small."""
    return [float(f"{x:.9g}") for x in xs]


OPTIMIZERS = {
    "adam": lambda ps, lr: torch.optim.Adam(ps, lr=lr),
    "adamw": lambda ps, lr: torch.optim.AdamW(ps, lr=lr, weight_decay=0.01),
    "rmsprop": lambda ps, lr: torch.optim.RMSprop(ps, lr=lr),
    "adagrad": lambda ps, lr: torch.optim.Adagrad(ps, lr=lr),
    "sgd": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9),
    "sgd_l2": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9, weight_decay=0.01),
}

WARMUP_START = 0.01  # src/schedule.rs


def scheduler(opt, warmup, decay):
    """src/schedule.rs's schedule as torch.optim.lr_scheduler builds it. decay: ("constant",),
    ("cosine", steps, min_lr) or ("step", every, gamma)."""
    S = torch.optim.lr_scheduler
    if decay[0] == "cosine":
        after = S.CosineAnnealingLR(opt, T_max=decay[1] - warmup, eta_min=decay[2])
    elif decay[0] == "step":
        after = S.StepLR(opt, step_size=decay[1], gamma=decay[2])
    else:
        after = None
    if warmup == 0:
        return after or S.ConstantLR(opt, factor=1.0, total_iters=0)
    warm = S.LinearLR(opt, start_factor=WARMUP_START, end_factor=1.0, total_iters=warmup)
    if after is None:
        return warm
    return S.SequentialLR(opt, [warm, after], milestones=[warmup])


SCHEDULES = [
    (5, ("cosine", 30, 0.001)),
    (0, ("cosine", 20, 0.0)),
    (3, ("step", 4, 0.5)),
    (4, ("constant",)),
    (0, ("step", 1, 0.9)),
]

# The schedule of train_adamw.json: one warm-up step, then a cosine down to 0.005 by step 3.
TRAIN_SCHEDULE = {"adamw": (1, ("cosine", 3, 0.005))}


def write_schedules():
    """The rate each of 40 optimizer steps uses (read before the step), base rate 0.1."""
    runs = []
    for warmup, decay in SCHEDULES:
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = scheduler(opt, warmup, decay)
        lrs = []
        for _ in range(40):
            lrs.append(opt.param_groups[0]["lr"])
            p.grad = torch.zeros(1)
            opt.step()
            sched.step()
        runs.append({"warmup": warmup, "decay": list(decay), "lr": 0.1, "lrs": lrs})
    with open(os.path.join(OUT, "schedules.json"), "w") as f:
        json.dump(runs, f)


def write_optim():
    """One parameter vector, given gradients; clip_grad_norm_(max_norm) before every step. The gradient norms
    are chosen so that some steps clip and some do not."""
    g = torch.Generator().manual_seed(7)
    p0 = (torch.rand(12, generator=g, dtype=torch.float64) * 2 - 1).float().double()
    scales = [3.0, 0.2, 5.0, 0.05]
    grads = [((torch.rand(12, generator=g, dtype=torch.float64) * 2 - 1) * s).float().double() for s in scales]
    max_norm, lr = 1.0, 0.05
    runs = {}
    for name, make in OPTIMIZERS.items():
        p = p0.clone().requires_grad_(True)
        opt = make([p], lr)
        after = []
        for grad in grads:
            opt.zero_grad()
            p.grad = grad.clone()
            torch.nn.utils.clip_grad_norm_([p], max_norm)
            opt.step()
            after.append(p.detach().tolist())
        runs[name] = after
    with open(os.path.join(OUT, "optim.json"), "w") as f:
        json.dump({"lr": lr, "clip": max_norm, "params": p0.tolist(), "grads": [x.tolist() for x in grads],
                   "after": runs}, f)


def write_training(case):
    """Truncated BPTT exactly as src/trainer.rs: the text is cut into B contiguous streams of len // B
    characters; each step reads window [pos, pos+T] of every stream, carries the detached state, and wraps
    (pos 0, zero state) when pos + T >= stream length."""
    name, cell, nonlinearity, L, H, vocab, text, seed = case
    T, B, clip, lr, steps = 4, 2, 0.45, 0.05, 3
    V = len(vocab)
    ids = [vocab.index(c) for c in text]
    stream_len = len(ids) // B
    streams = [ids[s * stream_len:(s + 1) * stream_len] for s in range(B)]
    for opt_name, make in OPTIMIZERS.items():
        torch.manual_seed(seed)
        model = CharModel(V, H, L, cell, nonlinearity or "tanh")
        model.load_state_dict(load_file(os.path.join(OUT, f"{name}.safetensors")))
        model = model.double()
        opt = make(list(model.parameters()), lr)
        schedule = TRAIN_SCHEDULE.get(opt_name)
        sched = scheduler(opt, *schedule) if schedule else None
        pos, state, out = 0, None, []
        for _ in range(steps):
            wrapped = False
            if pos + T >= stream_len:
                pos, state, wrapped = 0, None, True
            x = torch.zeros(T, B, V, dtype=torch.float64)
            y = torch.zeros(T, B, dtype=torch.long)
            for s in range(B):
                for k in range(T):
                    x[k, s, streams[s][pos + k]] = 1.0
                    y[k, s] = streams[s][pos + k + 1]
            opt.zero_grad()
            logits, state = model(x, state)
            state = tuple(z.detach() for z in state) if cell == "lstm" else state.detach()
            loss = F.cross_entropy(logits.reshape(T * B, V), y.reshape(T * B))
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip).item()
            opt.step()
            if sched:
                sched.step()
            pos += T
            out.append({"loss": loss.item(), "wrapped": wrapped, "grad_norm": norm,
                        "params": {k: r(v.detach().flatten().tolist()) for k, v in model.state_dict().items()}})
        with open(os.path.join(OUT, f"train_{opt_name}.json"), "w") as f:
            record = {"case": name, "seq_len": T, "batch": B, "clip": clip, "lr": lr, "steps": out}
            if schedule:
                record["schedule"] = {"warmup": schedule[0], "decay": list(schedule[1])}
            json.dump(record, f)


DROPOUT_P = 0.4


def layer_modules(model, cell, nonlinearity, V, H, L):
    """model.rnn cut into L one-layer modules (copies of its weights), so a mask can go between them."""
    layers = []
    for l in range(L):
        make = {"rnn": lambda i: nn.RNN(i, H, 1, nonlinearity=nonlinearity or "tanh"),
                "lstm": lambda i: nn.LSTM(i, H, 1), "gru": lambda i: nn.GRU(i, H, 1)}[cell]
        m = make(V if l == 0 else H).double()
        with torch.no_grad():
            for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(m, f"{k}_l0").copy_(getattr(model.rnn, f"{k}_l{l}"))
        layers.append(m)
    return layers


def write_dropout():
    """One window (T 5, B 2, a random non-zero entering state) of each case with dropout p on every layer's
    output, the masks drawn here (bernoulli(1 - p) / (1 - p), as F.dropout) and written out: the loss and every
    gradient. The model without masks is checked to be the unsplit one, so the split is nn.LSTM(dropout=p)
    with its masks made visible, plus a dropout before the decoder."""
    T, B, p = 5, 2, DROPOUT_P
    g = torch.Generator().manual_seed(11)
    out = []
    for name, cell, nonlinearity, L, H, vocab, text, seed in CASES:
        V = len(vocab)
        model = CharModel(V, H, L, cell, nonlinearity or "tanh")
        model.load_state_dict(load_file(os.path.join(OUT, f"{name}.safetensors")))
        model = model.double()
        layers = layer_modules(model, cell, nonlinearity, V, H, L)
        inputs = torch.randint(0, V, (T, B), generator=g)
        targets = torch.randint(0, V, (T, B), generator=g)
        h0 = (torch.rand(L, B, H, generator=g, dtype=torch.float64) * 1.6 - 0.8).float().double()
        c0 = (torch.rand(L, B, H, generator=g, dtype=torch.float64) * 1.6 - 0.8).float().double()
        masks = [(torch.rand(T, B, H, generator=g) >= p).double() / (1 - p) for _ in range(L)]
        x = F.one_hot(inputs, V).double()

        def run(with_masks):
            y = x
            for l, m in enumerate(layers):
                state = (h0[l:l + 1], c0[l:l + 1]) if cell == "lstm" else h0[l:l + 1]
                y, _ = m(y, state)
                if with_masks:
                    y = y * masks[l]
            return model.decoder(y)

        with torch.no_grad():
            whole, _ = model(x, (h0, c0) if cell == "lstm" else h0)
            assert torch.allclose(run(False), whole)
        logits = run(True)
        loss = F.cross_entropy(logits.reshape(T * B, V), targets.reshape(T * B))
        loss.backward()
        grads = {"decoder.weight": model.decoder.weight.grad, "decoder.bias": model.decoder.bias.grad}
        for l, m in enumerate(layers):
            for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                grads[f"rnn.{k}_l{l}"] = getattr(m, f"{k}_l0").grad
        out.append({"case": name, "p": p, "steps": T, "batch": B,
                    "inputs": inputs.flatten().tolist(), "targets": targets.flatten().tolist(),
                    "h0": h0.flatten().tolist(), "c0": c0.flatten().tolist() if cell == "lstm" else [],
                    "masks": [m.flatten().tolist() for m in masks], "loss": loss.item(),
                    "grads": {k: r(v.flatten().tolist()) for k, v in grads.items()}})
    with open(os.path.join(OUT, "dropout.json"), "w") as f:
        json.dump(out, f)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_default_dtype(torch.float32)
    for case in CASES:
        write_case(*case)
    write_optim()
    write_training(CASES[2])
    write_schedules()
    write_dropout()


if __name__ == "__main__":
    main()
