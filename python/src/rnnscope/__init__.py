"""rnnscope for Jupyter: a character RNN, LSTM or GRU that trains in the notebook's page and shows what it computes.

    import rnnscope
    w = rnnscope.RnnScope(view="figure", corpus="hello", cell="rnn", hidden_size=3)
    w                                  # the widget; it trains in the page
    w.step, w.loss, w.guesses          # what the page reports (in a later cell)

See python/README.md in the repository, and examples/rnnscope.ipynb.
"""

from .widget import MODELS, RnnScope, SettingError, pretrained_models

__version__ = "0.1.0"
__all__ = ["MODELS", "RnnScope", "SettingError", "pretrained_models", "__version__"]
