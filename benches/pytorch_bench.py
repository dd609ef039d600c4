#!/usr/bin/env python3
"""PyTorch's training throughput, in characters per second, for the four cases of benches/cases.json.

    pip install torch
    python3 benches/pytorch_bench.py [--threads 1,2] [--rounds 5] [--round-seconds 1.5] [--json]
    python3 benches/pytorch_bench.py --quality 5 [--threads 2] [--json]

Not run by CI; scripts/bench.sh runs it when `python3 -c "import torch"` works and skips it with a note otherwise.

Each case is the same model and training step as rnnscope's: one-hot characters of tinyshakespeare (read from
../shared/corpora/, not shipped) into nn.LSTM / nn.GRU / nn.RNN(tanh) (stacked for 2 layers), nn.Linear to the
vocabulary, cross-entropy over all T×B positions, backward, clip_grad_norm_(5), one optimizer step. The text is cut
into B contiguous streams and each step trains the next T characters of each (truncated backpropagation through
time); the recurrent state is carried from one window to the next, detached, as rnnscope's trainer does.

Each measurement: warm-up steps, then the median of --rounds rounds of about --round-seconds each, per thread
count (torch.set_num_threads).

With --quality MINUTES it measures instead what a visitor feels: the S2 case trained on the first 90 % of the text
for MINUTES minutes of wall time (the first thread count), and the validation loss, from a zero state, on the first
100,000 characters of the last 10 % (what `rnnscope eval --val-fraction 0.1 --val-chars 100000` reads) after one
minute and at the end.
"""

import argparse
import json
import statistics
import sys
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # torch works without NumPy here
import torch  # noqa: E402
from torch import nn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "tinyshakespeare.txt"

# (name, cell, hidden, layers, seq_len, batch, optimizer, lr) for each case of benches/cases.json, which every
# benchmark reads.
_CASES_FILE = json.loads((ROOT / "benches" / "cases.json").read_text(encoding="utf-8"))
CASES = [
    (c["name"], c["cell"], c["hidden"], c["layers"], c["seqLen"], c["batch"], c["optimizer"], c["lr"])
    for c in _CASES_FILE["cases"]
]
CLIP = float(_CASES_FILE["clip"])


class CharModel(nn.Module):
    def __init__(self, cell, vocab, hidden, layers):
        super().__init__()
        rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        kwargs = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        self.rnn = rnn(vocab, hidden, layers, **kwargs)  # input (T, B, V)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, x, state):
        h, state = self.rnn(x, state)  # h: (T, B, H)
        return self.out(h), state  # logits (T, B, V)


def detach(state):
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def trainer(case, ids, vocab):
    """A model for `case` and a function that takes one training step on `ids`."""
    name, cell, hidden, layers, seq_len, batch, optimizer, lr = case
    torch.manual_seed(1)
    model = CharModel(cell, vocab, hidden, layers)
    opt = {"adam": torch.optim.Adam, "adagrad": torch.optim.Adagrad}[optimizer](model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    stream = (len(ids) - 1) // batch
    # (B, stream) → each window is columns [pos, pos + T) of every stream
    streams = ids[: stream * batch + 1]
    inputs = streams[:-1].view(batch, stream)
    targets = streams[1:].view(batch, stream)
    eye = torch.eye(vocab)
    pos = 0
    state = None

    def step():
        nonlocal pos, state
        if pos + seq_len > stream:
            pos, state = 0, None
        x = eye[inputs[:, pos : pos + seq_len].t()]  # (T, B, V) one-hot
        y = targets[:, pos : pos + seq_len].t()  # (T, B)
        pos += seq_len
        logits, new_state = model(x, detach(state))
        loss = loss_fn(logits.reshape(-1, vocab), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        state = new_state

    return model, step


def measure(case, ids, vocab, rounds, round_seconds):
    _, step = trainer(case, ids, vocab)
    chars_per_step = case[4] * case[5]
    for _ in range(5):  # warm up
        step()
    t0 = time.perf_counter()
    step()
    steps = max(1, round(round_seconds / max(1e-6, time.perf_counter() - t0)))
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        rates.append(steps * chars_per_step / (time.perf_counter() - t0))
    return statistics.median(rates), min(rates), max(rates)


@torch.no_grad()
def validation_loss(model, ids, vocab):
    """Mean cross-entropy, nats per predicted character, of `ids` from a zero state, 1,000 predictions a window."""
    eye = torch.eye(vocab)
    state, total, n = None, 0.0, 0
    for start in range(0, len(ids) - 1, 1000):
        chunk = ids[start : start + 1001]
        logits, state = model(eye[chunk[:-1]].unsqueeze(1), state)
        total += nn.functional.cross_entropy(logits.reshape(-1, vocab), chunk[1:], reduction="sum").item()
        n += len(chunk) - 1
    return total / n


def quality(ids, vocab, minutes):
    """Train S2 on the first 90 % for `minutes`; the validation loss after 1 minute and at the end."""
    held = int(len(ids) * 0.1)
    train, val = ids[: len(ids) - held], ids[len(ids) - held :][:100_000]
    model, step = trainer(CASES[1], train, vocab)
    t0 = time.perf_counter()
    steps, at_1 = 0, None
    while time.perf_counter() - t0 < minutes * 60:
        step()
        steps += 1
        if at_1 is None and time.perf_counter() - t0 >= 60:
            e0 = time.perf_counter()
            at_1 = validation_loss(model, val, vocab)
            t0 += time.perf_counter() - e0  # evaluating is not training time
    return {"val_1min": at_1, "val_end": validation_loss(model, val, vocab), "steps": steps}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (torch.set_num_threads)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--round-seconds", type=float, default=1.5)
    ap.add_argument("--only", default="", help="run only the cases whose name contains this")
    ap.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    ap.add_argument("--quality", type=float, default=0, metavar="MINUTES",
                    help="train S2 for MINUTES and report the validation loss (see above)")
    args = ap.parse_args()

    text = CORPUS.read_text(encoding="utf-8")
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    if not args.json:
        print(f"PyTorch {torch.__version__}, tinyshakespeare ({len(chars)} characters)")
    if args.quality > 0:
        threads = int(args.threads.split(",")[0])
        torch.set_num_threads(threads)
        q = quality(ids, len(chars), args.quality)
        out = {"tool": "quality-pytorch", "version": torch.__version__, "case": "S2", "threads": threads,
               "minutes": args.quality, **q}
        print(json.dumps(out) if args.json else out, flush=True)
        return 0
    for threads in [int(t) for t in args.threads.split(",") if t]:
        torch.set_num_threads(threads)
        for case in CASES:
            if args.only and args.only not in case[0]:
                continue
            median, lo, hi = measure(case, ids, len(chars), args.rounds, args.round_seconds)
            if args.json:
                print(json.dumps({"tool": "pytorch", "version": torch.__version__, "case": case[0], "threads": threads,
                                  "chars_per_sec": median, "min": lo, "max": hi}), flush=True)
            else:
                print(f"{case[0]:28} {threads} thread(s)  median {median:10,.0f} chars/s  (min {lo:,.0f}, max {hi:,.0f})",
                      flush=True)


if __name__ == "__main__":
    sys.exit(main())
