#!/usr/bin/env python3
"""Opens every model in models/manifest.json with PyTorch and checks it against rnnscope.

For each model: the README's "rnnscope → PyTorch" code loads it into CharModel (load_state_dict is strict, so
every tensor name and shape must be PyTorch's), then PyTorch runs the first 80 characters of the part of the
training text held out for validation (of the text itself when nothing is held out), one character at a time from
a zero state, and every layer's h (and an LSTM's c), the logits and the probabilities at every position are
compared with `rnnscope probe --json` on the same text (within 1e-4 + 1e-4·|value|).

Without torch it falls back to what numpy can check: that each file opens with safetensors.numpy.load_file and
holds exactly the tensors and shapes of the README's table, in the tensor type the manifest gives (F32 or F16;
PyTorch reads either into its f32 CharModel).

Needs: python3 with `pip install torch safetensors numpy` (or just `safetensors numpy` for the fallback), the
release CLI (`cargo build --release`), and for the Shakespeare model ../shared/ beside the repository.
Run from anywhere: python3 scripts/check_models_pytorch.py; `--model PATH` checks one other file the same way (its
text: the start of the part its train_config's corpus held out), as scripts/check_train_pytorch.sh does. Not run by
the tests or CI.
"""
import json
import os
import struct
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "rnnscope")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
TEXT_CHARS = 80
# The manifest's tensor types as numpy names them (numpy has no bfloat16: such a file is checked by torch only).
NUMPY_DTYPES = {"f32": "float32", "f16": "float16"}

try:
    import torch
    import torch.nn as nn
except ImportError:
    torch = None


def expected_shapes(cell, V, H, L):
    G = GATES[cell]
    shapes = {}
    for k in range(L):
        shapes[f"rnn.weight_ih_l{k}"] = (G * H, V if k == 0 else H)
        shapes[f"rnn.weight_hh_l{k}"] = (G * H, H)
        shapes[f"rnn.bias_ih_l{k}"] = (G * H,)
        shapes[f"rnn.bias_hh_l{k}"] = (G * H,)
    shapes["decoder.weight"] = (V, H)
    shapes["decoder.bias"] = (V,)
    return shapes


def training_text(corpus):
    if os.path.exists(os.path.join(ROOT, corpus)):
        with open(os.path.join(ROOT, corpus), encoding="utf-8", newline="") as f:
            return f.read()
    return subprocess.run([BIN, "corpus", corpus], check=True, capture_output=True, text=True).stdout


def held_out_start(entry, text):
    """The first characters of what the trainer held out: the last floor(chars · valFraction)."""
    fraction = struct.unpack("<f", struct.pack("<f", entry["valFraction"]))[0]  # the trainer's f32, widened
    n_val = int(len(text) * fraction)
    part = text[len(text) - n_val:] if n_val >= 2 else text
    return part[:TEXT_CHARS]


def check_numpy(path, entry, failures):
    from safetensors.numpy import load_file

    tensors = load_file(path)
    want = expected_shapes(entry["cell"], entry["vocabSize"], entry["hidden"], entry["layers"])
    got = {name: tuple(t.shape) for name, t in tensors.items()}
    if got != want:
        failures.append(f"{entry['file']}: tensors {got}, expected {want}")
    dtype = NUMPY_DTYPES[entry.get("dtype", "f32")]
    for name, t in tensors.items():
        if str(t.dtype) != dtype:
            failures.append(f"{entry['file']}: {name} is {t.dtype}, the manifest says {dtype}")


if torch is not None:

    class CharModel(nn.Module):  # the README's
        def __init__(self, V, H, L, cell, nonlinearity="tanh"):
            super().__init__()
            if cell == "rnn":
                self.rnn = nn.RNN(V, H, L, nonlinearity=nonlinearity)
            else:
                self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](V, H, L)
            self.decoder = nn.Linear(H, V)

        def forward(self, x_onehot, state=None):
            out, state = self.rnn(x_onehot, state)
            return self.decoder(out), state


def load_pytorch(path):
    """The README's "rnnscope → PyTorch" snippet."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    vocab = json.loads(meta["vocab"])
    tensors = load_file(path)
    H = tensors["rnn.weight_hh_l0"].shape[1]
    L = sum(name.startswith("rnn.weight_ih_l") for name in tensors)
    model = CharModel(len(vocab), H, L, meta["cell"], meta.get("nonlinearity", "tanh"))
    model.load_state_dict(tensors)
    return model, vocab, meta["cell"]


def compare(what, expected, got, failures):
    expected = torch.tensor(expected, dtype=torch.float64)
    got = got.to(torch.float64).reshape(expected.shape)
    bad = (expected - got).abs() > 1e-4 + 1e-4 * expected.abs()
    if bad.any():
        worst = (expected - got).abs().max().item()
        failures.append(f"{what}: {int(bad.sum())} of {bad.numel()} values differ, worst by {worst:.3g}")
    return (expected - got).abs().max().item()


def check_pytorch(path, entry, text, failures):
    model, vocab, cell = load_pytorch(path)
    probe = json.loads(subprocess.run([BIN, "probe", "--model", path, "--text-string", text, "--json"],
                                      check=True, capture_output=True, text=True).stdout)
    V = len(vocab)
    state = None
    worst = 0.0
    with torch.no_grad():
        for t, ch in enumerate(text):
            x = torch.zeros(1, 1, V)
            x[0, 0, vocab.index(ch)] = 1.0
            logits, state = model(x, state)
            h, c = (state if cell == "lstm" else (state, None))
            at = probe["positions"][t]
            for k, layer in enumerate(at["layers"]):
                worst = max(worst, compare(f"{entry['file']} h[{t}] layer {k}", layer["h"], h[k, 0], failures))
                if c is not None:
                    worst = max(worst, compare(f"{entry['file']} c[{t}] layer {k}", layer["c"], c[k, 0], failures))
            worst = max(worst, compare(f"{entry['file']} logits[{t}]", at["logits"], logits[0, 0], failures))
            probs = torch.softmax(logits[0, 0].to(torch.float64), dim=0)
            worst = max(worst, compare(f"{entry['file']} probs[{t}]", at["probs"], probs, failures))
    return worst


def entry_of_file(path):
    """A manifest-like entry for any model file rnnscope or scripts/train_pytorch.py wrote, from its header."""
    with open(path, "rb") as f:
        header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
    meta = header["__metadata__"]
    config = json.loads(meta.get("train_config", "{}"))
    dtypes = {t["dtype"] for k, t in header.items() if k != "__metadata__"}
    return {"file": path, "cell": meta["cell"], "vocabSize": len(json.loads(meta["vocab"])),
            "hidden": header["rnn.weight_hh_l0"]["shape"][1],
            "layers": sum(k.startswith("rnn.weight_ih_l") for k in header),
            "corpus": config.get("corpus"), "valFraction": config.get("valFraction", 0.0),
            "dtype": dtypes.pop().lower() if len(dtypes) == 1 else "mixed"}


def main():
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: run cargo build --release first")
    if sys.argv[1:2] == ["--model"] and len(sys.argv) == 3:
        return check_one(sys.argv[2])
    torch_version = torch.__version__ if torch is not None else None
    if torch is None:
        print("torch is not installed: checking tensor names, shapes and dtypes with safetensors.numpy only")
    else:
        torch.set_num_threads(1)
    with open(os.path.join(ROOT, "models", "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)["models"]
    failures = []
    for entry in manifest:
        path = os.path.join(ROOT, "models", entry["file"])
        before = len(failures)
        check_numpy(path, entry, failures)
        if torch is None:
            print(f"{entry['file']}: {'ok' if len(failures) == before else 'FAILED'} (names, shapes, {entry.get('dtype', 'f32')})")
            continue
        text = held_out_start(entry, training_text(entry["corpus"]))
        worst = check_pytorch(path, entry, text, failures)
        state = "ok" if len(failures) == before else "FAILED"
        print(f"{entry['file']}: {state}: PyTorch {torch_version} and rnnscope probe agree on {len(text)} "
              f"characters, largest difference {worst:.2e}")
    for line in failures[:40]:
        print("FAIL", line)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    if torch is None:
        print("every model opens with safetensors.numpy with the manifest's tensors (torch was not there to run them)")
    else:
        print("every model opens in PyTorch and computes what rnnscope probe does")


def check_one(path):
    """`--model PATH`: the same checks for one file outside the manifest (its text from its train_config)."""
    if torch is None:
        sys.exit("--model needs torch")
    entry = entry_of_file(path)
    if not entry["corpus"]:
        sys.exit(f"{path} has no train_config corpus to read a text from")
    failures = []
    text = held_out_start(entry, training_text(entry["corpus"]))
    worst = check_pytorch(path, entry, text, failures)
    for line in failures[:40]:
        print("FAIL", line)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print(f"{path}: PyTorch {torch.__version__} and rnnscope probe agree on {len(text)} characters, "
          f"largest difference {worst:.2e}")


if __name__ == "__main__":
    main()
