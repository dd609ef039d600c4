"""The settings of <rnn-scope> as the Python widget takes them: one table, the element's own limits.

Each entry mirrors the element: its attribute (www/element/attributes.js), its kind and limits
(www/scope/state.js PROPS, www/element/layout.js VIEWS and CONTROLS, src/corpus.rs NAMES). The repo's Jupyter test
(tests/browser/jupyter.test.mjs) reads those files and fails when a copy here differs, so a limit has one source.

This module imports only the standard library, so that check can load it with any Python (`python3 _settings.py`
prints the table as JSON).
"""

import re

# The views (www/element/layout.js VIEWS), the controls of the `controls` setting (CONTROLS) and the built-in texts
# (src/corpus.rs NAMES), in their order.
VIEWS = ("full", "figure", "diagram", "heatmap", "sample", "train", "compare", "cells", "ablation",
         "connectivity", "saturation", "errors")
CONTROLS = ("status", "play", "step", "reset", "probe")
CORPORA = ("hello", "brackets", "about")

# name (Python, snake_case) → (attribute, kind, limits). Kinds: "enum" (limits: the allowed values), "int" and
# "float" (limits: (min, max)), "str" (limits: the longest), "bool", "controls", "height".
SETTINGS = {
    "view": ("view", "enum", VIEWS),
    "corpus": ("corpus", "enum", CORPORA),
    "cell": ("cell", "enum", ("rnn", "lstm", "gru")),
    "nonlinearity": ("nonlinearity", "enum", ("tanh", "relu")),
    "hidden_size": ("hidden-size", "int", (1, 2048)),
    "layers": ("layers", "int", (1, 8)),
    "seq_len": ("seq-len", "int", (1, 2048)),
    "batch": ("batch", "int", (1, 1024)),
    "optimizer": ("optimizer", "enum", ("adam", "adamw", "rmsprop", "adagrad", "sgd")),
    "weight_decay": ("weight-decay", "float", (0, 1)),
    "dropout": ("dropout", "float", (0, 0.9)),
    "schedule": ("schedule", "enum", ("constant", "cosine", "step")),
    "warmup": ("warmup", "int", (0, 1_000_000_000)),
    "schedule_steps": ("schedule-steps", "int", (1, 1_000_000_000)),
    "min_lr": ("min-lr", "float", (0, 10)),
    "gamma": ("gamma", "float", (1e-6, 1)),
    "lr": ("lr", "float", (1e-6, 10)),
    "seed": ("seed", "int", (0, 4294967295)),
    "temperature": ("temperature", "float", (0, 3)),
    "workers": ("workers", "enum", ("auto", "1", "2")),
    "probe": ("probe", "str", 5000),
    "controls": ("controls", "controls", CONTROLS),
    "height": ("height", "height", None),
    "autoplay": ("autoplay", "bool", None),
    "loading": ("loading", "enum", ("lazy", "eager")),
}

# The longest training text the element takes (www/scope/text.js MAX_TEXT_CHARS).
MAX_TEXT_CHARS = 20_000_000

# A fixed height (www/element/attributes.js parseHeight): a number of CSS pixels, or one with a unit.
_HEIGHT = re.compile(r"\d+(\.\d+)?(px|em|rem|vh|%)?")


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check(name, value):
    """The value the element gets for setting `name`, or ValueError naming the setting and what it allows.

    None means "the element's default" and is always allowed.
    """
    attr, kind, limits = SETTINGS[name]
    if value is None:
        return None
    if kind == "enum":
        v = str(value).strip().lower() if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if v not in limits:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, limits))}, not {value!r}")
        return v
    if kind == "int":
        lo, hi = limits
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise ValueError(f"{name} must be a whole number from {lo} to {hi}, not {value!r}")
        return value
    if kind == "float":
        lo, hi = limits
        if not _is_number(value) or value != value or not lo <= value <= hi:
            raise ValueError(f"{name} must be a number from {lo:g} to {hi:g}, not {value!r}")
        return float(value)
    if kind == "str":
        if not isinstance(value, str) or len(value) > limits:
            raise ValueError(f"{name} must be a text of at most {limits} characters, not {_short(value)}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False (or None for the element's default), not {value!r}")
        return value
    if kind == "controls":
        tokens = list(value) if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
        if tokens in (["none"], ["all"]) or tokens == []:
            return " ".join(tokens) or "none"
        bad = [t for t in tokens if t not in limits]
        if bad:
            raise ValueError(f"controls must be 'none', 'all', or any of {', '.join(limits)}; {', '.join(map(repr, bad))} is not a control")
        return " ".join(tokens)
    if kind == "height":
        if _is_number(value) and value >= 0:
            return value
        if isinstance(value, str) and _HEIGHT.fullmatch(value.strip()):
            return value.strip()
        raise ValueError(f"height must be a number of pixels or a CSS length such as '30rem' (px, em, rem, vh or %), not {value!r}")
    raise AssertionError(kind)


def _short(value):
    if isinstance(value, str):
        return f"a text of {len(value)} characters"
    return repr(value)


if __name__ == "__main__":
    import json

    print(json.dumps({"views": VIEWS, "controls": CONTROLS, "corpora": CORPORA, "maxTextChars": MAX_TEXT_CHARS,
                      "settings": {k: {"attribute": a, "kind": kind, "limits": lim} for k, (a, kind, lim) in SETTINGS.items()}}))
