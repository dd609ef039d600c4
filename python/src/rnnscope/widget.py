"""RnnScope: the <rnn-scope> element as a Jupyter widget (anywidget).

The page side is the project's one self-contained ES module (dist/rnnscope.js, carried in this package as
static/rnnscope.js): its default export is the anywidget entry, www/widget.js, which documents the protocol. In
short: each setting trait is one attribute of the element (None leaves the element's default); `text` is a
training text; `model_bytes` a model file's bytes; and the page reports `step`, `loss`, `guesses`, `info`, and the
model's bytes as `exported` (at `exported_step`).

Nothing here depends on the Jupyter server serving a file: the module, the model bytes and the texts travel in the
widget's messages.
"""

import json
import os
import pathlib

import anywidget
import traitlets
from ipywidgets.widgets.trait_types import bytes_serialization

from . import _settings

STATIC = pathlib.Path(__file__).parent / "static"
MODELS = STATIC / "models"


def pretrained_models():
    """The models this package ships (models/manifest.json): a list of dicts with `file`, `name`, `description`,
    `cell`, `hidden`, `layers`, `corpus` (the text it learnt) and training figures."""
    return json.loads((MODELS / "manifest.json").read_text(encoding="utf-8"))["models"]


def _model_bytes(model):
    """The bytes of a model given as a path (str or os.PathLike) or as bytes."""
    if isinstance(model, (bytes, bytearray, memoryview)):
        data = bytes(model)
    elif isinstance(model, (str, os.PathLike)):
        path = pathlib.Path(model)
        if not path.is_file():
            raise FileNotFoundError(f"model: no file at {str(path)!r} (give the path of a .safetensors file, or its bytes)")
        data = path.read_bytes()
    else:
        raise TypeError(f"model must be the path of a .safetensors file or its bytes, not {type(model).__name__}")
    # A .safetensors file starts with the length of its JSON header (8 bytes, little-endian), then the header.
    if len(data) < 10 or data[8:9] != b"{":
        raise ValueError("model: these bytes are not a .safetensors file (it starts with an 8-byte header length, then '{')")
    return data


class SettingError(traitlets.TraitError, ValueError):
    """A setting's value the element does not allow; the message names the setting and what it allows."""


def _setting():
    """A synced trait for a setting of the element; None is the element's default. Its value is checked by
    RnnScope._check_setting against the element's limits (_settings.py)."""
    return traitlets.Any(None, allow_none=True).tag(sync=True)


class RnnScope(anywidget.AnyWidget):
    """A character RNN, LSTM or GRU that trains in the notebook's page and shows what it computes.

    Settings (traits, synced to the page; None leaves the element's default; a bad value raises ValueError naming
    what is allowed, the same limits the element has):

        view          'figure', 'diagram' (default), 'heatmap', 'sample', 'train', 'compare', 'cells', 'ablation',
                      'connectivity', 'saturation', 'errors', 'full'
        corpus        a built-in text: 'hello', 'brackets', 'about' (or give `text`)
        cell          'rnn', 'lstm' (default), 'gru'; nonlinearity 'tanh' or 'relu' for an RNN
        hidden_size   1–2048; layers 1–8; seq_len 1–2048; batch 1–1024
        optimizer     'adam', 'adamw', 'rmsprop', 'adagrad', 'sgd'; weight_decay 0–1 (AdamW's); dropout 0–0.9
        schedule      'constant', 'cosine', 'step'; warmup steps; schedule_steps; min_lr (cosine); gamma (step)
        lr            1e-6–10; seed 0–2**32-1; temperature 0–3; workers 'auto', '1', '2'
        probe         the text the diagram shows (at most 5000 characters)
        controls      'none', 'all', or any of 'status play step reset probe'
        height        pixels or a CSS length; autoplay True/False (False pauses, True trains); loading 'lazy'/'eager'

    Changing a model setting (cell, sizes, optimizer, regularisation, schedule, seed, corpus) builds a fresh model in the page; `probe`, `lr`,
    `temperature` act at once.

    Also: `text` (a training text: a model given without one keeps training on it when it knows its characters,
    otherwise a fresh model learns it) and `model_bytes` (a .safetensors model; set it with `load()`).

    Reported by the page (read-only; they arrive while no cell runs, see `export_model`):

        step, loss       training steps so far, the last training loss (nats per character)
        guesses          the top five next characters after the probe text, [[char, p], ...]
        info             the model: {'cell', 'hidden', 'layers', 'vocab': [...], 'params'}
        exported         the model file's bytes, refreshed when training pauses and every 10 s while it trains
        exported_step    the step `exported` is from
    """

    _esm = STATIC / "rnnscope.js"

    view = _setting()
    corpus = _setting()
    cell = _setting()
    nonlinearity = _setting()
    hidden_size = _setting()
    layers = _setting()
    seq_len = _setting()
    batch = _setting()
    optimizer = _setting()
    weight_decay = _setting()
    dropout = _setting()
    schedule = _setting()
    warmup = _setting()
    schedule_steps = _setting()
    min_lr = _setting()
    gamma = _setting()
    lr = _setting()
    seed = _setting()
    temperature = _setting()
    workers = _setting()
    probe = _setting()
    controls = _setting()
    height = _setting()
    autoplay = _setting()
    loading = _setting()

    text = traitlets.Unicode("").tag(sync=True)
    model_bytes = traitlets.Bytes(b"").tag(sync=True, **bytes_serialization)

    step = traitlets.Int(0, read_only=True).tag(sync=True)
    loss = traitlets.Float(None, allow_none=True, read_only=True).tag(sync=True)
    guesses = traitlets.List([], read_only=True).tag(sync=True)
    info = traitlets.Dict(allow_none=True, read_only=True).tag(sync=True)
    exported = traitlets.Bytes(b"", read_only=True).tag(sync=True, **bytes_serialization)
    exported_step = traitlets.Int(None, allow_none=True, read_only=True).tag(sync=True)

    @traitlets.default("info")
    def _no_info(self):
        return None  # until the page has a model

    @traitlets.validate(*_settings.SETTINGS)
    def _check_setting(self, proposal):
        try:
            return _settings.check(proposal["trait"].name, proposal["value"])
        except ValueError as err:
            raise SettingError(str(err)) from None

    @traitlets.validate("text")
    def _check_text(self, proposal):
        text = proposal["value"]
        if len(text) > _settings.MAX_TEXT_CHARS:
            raise SettingError(f"text has {len(text):,} characters; the element takes at most {_settings.MAX_TEXT_CHARS:,}")
        return text

    def __init__(self, model=None, **kwargs):
        """`model`: a .safetensors model to start from, as a path or bytes (sent to the page as bytes). A model
        loads paused unless `autoplay=True`; without a `text` (or `corpus`) of its characters it has nothing to
        train on and says so. Every other keyword is a trait (see the class's doc)."""
        if model is not None:
            kwargs["model_bytes"] = _model_bytes(model)
            kwargs.setdefault("autoplay", False)
        unknown = sorted(k for k in kwargs if k not in self.class_trait_names())
        if unknown:
            raise TypeError(f"RnnScope() got unknown settings {', '.join(unknown)}; the settings are {', '.join(_settings.SETTINGS)}, text and model")
        super().__init__(**kwargs)

    @classmethod
    def pretrained(cls, name, **kwargs):
        """A model this package ships (see `rnnscope.pretrained_models()`), e.g. `RnnScope.pretrained('shakespeare-lstm')`,
        sent to the page as bytes. A model learnt on a built-in text gets that text to go on training on; the others
        (Shakespeare) come without their text: give `text=` to train them."""
        models = {m["file"].removesuffix(".safetensors"): m for m in pretrained_models()}
        key = str(name).removesuffix(".safetensors")
        if key not in models:
            raise ValueError(f"no shipped model {name!r}; the models are {', '.join(map(repr, models))}")
        entry = models[key]
        if entry.get("corpus") in _settings.CORPORA and "text" not in kwargs:
            kwargs.setdefault("corpus", entry["corpus"])
        return cls(model=MODELS / entry["file"], **kwargs)

    def load(self, model):
        """Replace the page's model by a .safetensors model (a path or bytes). A file the page refuses is named in
        the element, and its model is kept."""
        self.model_bytes = _model_bytes(model)

    def learn(self, text):
        """Train on `text` (the same as setting `text`)."""
        self.text = text

    def export_model(self, path=None):
        """The model's .safetensors bytes as the page last exported them (from step `exported_step`), also written to
        `path` if given.

        A kernel cannot wait for the browser inside one cell: what the page sends arrives between cells. The page
        exports when training pauses and every 10 s while it trains, so to get the final weights pause first (set
        `autoplay = False`, or press Pause) and call this in a later cell. Raises RuntimeError when nothing has come
        yet (the widget is not displayed, or its model is still loading)."""
        data = bytes(self.exported)
        if not data:
            raise RuntimeError(
                "the page has not exported the model yet: display the widget, let its model load, and call export_model() "
                "in a later cell (the page's messages arrive between cells)"
            )
        if path is not None:
            pathlib.Path(path).write_bytes(data)
        return data
