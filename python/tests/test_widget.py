"""The Python side of the widget, without a browser: settings checked as the element checks them, models taken as
paths or bytes, the shipped models, and what export_model() says before the page has sent anything.

Run against the installed package (tests/browser/jupyter.test.mjs runs it in its virtual environment):

    python -m unittest discover -s python/tests
"""

import pathlib
import tempfile
import unittest

import rnnscope
from rnnscope import RnnScope, SettingError


class Settings(unittest.TestCase):
    def test_unset_settings_leave_the_elements_defaults(self):
        w = RnnScope()
        for name in ("view", "corpus", "cell", "hidden_size", "lr", "probe", "autoplay", "loading"):
            self.assertIsNone(getattr(w, name), name)
        self.assertEqual((w.step, w.loss, w.guesses, w.info, w.exported, w.exported_step), (0, None, [], None, b"", None))

    def test_values_in_the_elements_limits_are_taken(self):
        w = RnnScope(view="figure", corpus="hello", cell="rnn", hidden_size=3, layers=8, seq_len=2048, batch=1,
                     optimizer="sgd", lr=1e-6, seed=4294967295, temperature=0, probe="hell", controls=["play", "step"],
                     height="30rem", autoplay=False, loading="eager", nonlinearity="relu")
        self.assertEqual((w.view, w.hidden_size, w.lr, w.controls, w.height), ("figure", 3, 1e-6, "play step", "30rem"))
        w.workers = 2
        self.assertEqual(w.workers, "2")  # the attribute's spelling
        w.height = 400
        self.assertEqual(w.height, 400)
        w.controls = "none"
        self.assertEqual(w.controls, "none")

    def test_a_bad_value_names_the_setting_and_what_it_allows(self):
        cases = {
            "hidden_size": (0, "hidden_size must be a whole number from 1 to 2048, not 0"),
            "layers": (9, "layers must be a whole number from 1 to 8, not 9"),
            "seq_len": (2.5, "seq_len must be a whole number from 1 to 2048, not 2.5"),
            "batch": (True, "batch must be a whole number from 1 to 1024, not True"),
            "seed": (-1, "seed must be a whole number from 0 to 4294967295, not -1"),
            "lr": (11, "lr must be a number from 1e-06 to 10, not 11"),
            "temperature": ("hot", "temperature must be a number from 0 to 3, not 'hot'"),
            "view": ("graph", "view must be one of 'full', 'figure', 'diagram'"),
            "cell": ("transformer", "cell must be one of 'rnn', 'lstm', 'gru', not 'transformer'"),
            "corpus": ("shakespeare", "corpus must be one of 'hello', 'brackets', 'about', not 'shakespeare'"),
            "workers": (4, "workers must be one of 'auto', '1', '2', not 4"),
            "probe": ("x" * 5001, "probe must be a text of at most 5000 characters, not a text of 5001 characters"),
            "controls": ("play zoom", "'zoom' is not a control"),
            "height": ("tall", "height must be a number of pixels or a CSS length"),
            "autoplay": ("yes", "autoplay must be True or False"),
            "loading": ("soon", "loading must be one of 'lazy', 'eager', not 'soon'"),
        }
        for name, (value, message) in cases.items():
            with self.subTest(name=name):
                with self.assertRaises(SettingError) as caught:
                    RnnScope(**{name: value})
                self.assertIn(message, str(caught.exception))
                self.assertIsInstance(caught.exception, ValueError)
                w = RnnScope()
                with self.assertRaises(SettingError):
                    setattr(w, name, value)
                self.assertIsNone(getattr(w, name))

    def test_an_unknown_setting_is_named(self):
        with self.assertRaisesRegex(TypeError, "unknown settings colour; the settings are view, corpus"):
            RnnScope(colour="red")

    def test_what_the_page_reports_cannot_be_set_from_python(self):
        w = RnnScope()
        for name, value in (("step", 3), ("loss", 1.0), ("guesses", []), ("info", {}), ("exported", b"x"), ("exported_step", 1)):
            with self.subTest(name=name), self.assertRaises(Exception):
                setattr(w, name, value)


class Models(unittest.TestCase):
    def test_a_model_from_a_path_or_bytes_travels_as_bytes_and_loads_paused(self):
        path = rnnscope.MODELS / "hello-rnn3.safetensors"
        data = path.read_bytes()
        for given in (path, str(path), data, bytearray(data)):
            with self.subTest(given=type(given).__name__):
                w = RnnScope(model=given)
                self.assertEqual(w.model_bytes, data)
                self.assertIs(w.autoplay, False)
        self.assertIs(RnnScope(model=data, autoplay=True).autoplay, True)

    def test_load_replaces_the_bytes(self):
        w = RnnScope(corpus="hello")
        w.load(rnnscope.MODELS / "brackets-rnn.safetensors")
        self.assertEqual(w.model_bytes, (rnnscope.MODELS / "brackets-rnn.safetensors").read_bytes())

    def test_what_is_not_a_model_is_refused_before_it_travels(self):
        with self.assertRaisesRegex(ValueError, "not a .safetensors file"):
            RnnScope(model=b"<!doctype html><html>")
        with self.assertRaisesRegex(FileNotFoundError, "no file at"):
            RnnScope(model="no/such/model.safetensors")
        with self.assertRaisesRegex(TypeError, "path of a .safetensors file or its bytes"):
            RnnScope(model=3)

    def test_the_shipped_models(self):
        names = [m["file"] for m in rnnscope.pretrained_models()]
        self.assertIn("shakespeare-lstm.safetensors", names)
        for f in names:
            self.assertTrue((rnnscope.MODELS / f).is_file(), f)
        bard = RnnScope.pretrained("shakespeare-lstm", view="diagram", probe="Romeo")
        self.assertEqual(bard.model_bytes, (rnnscope.MODELS / "shakespeare-lstm.safetensors").read_bytes())
        self.assertIsNone(bard.corpus)  # its text is not built in: it comes without one
        self.assertEqual(RnnScope.pretrained("hello-rnn3.safetensors").corpus, "hello")  # learnt on a built-in text
        self.assertEqual(RnnScope.pretrained("hello-rnn3", text="hellohello").corpus, None)
        with self.assertRaisesRegex(ValueError, "no shipped model 'nope'; the models are 'hello-rnn3'"):
            RnnScope.pretrained("nope")

    def test_export_before_the_page_sent_anything_says_why(self):
        with self.assertRaisesRegex(RuntimeError, "has not exported the model yet"):
            RnnScope().export_model()

    def test_export_returns_and_writes_what_the_page_sent(self):
        w = RnnScope()
        data = (rnnscope.MODELS / "hello-rnn3.safetensors").read_bytes()
        w.set_trait("exported", data)  # as the page's message does
        with tempfile.TemporaryDirectory() as d:
            out = pathlib.Path(d) / "m.safetensors"
            self.assertEqual(w.export_model(out), data)
            self.assertEqual(out.read_bytes(), data)

    def test_the_module_is_the_single_file(self):
        esm = str(RnnScope()._esm)
        self.assertTrue(esm.startswith("// rnnscope: <rnn-scope>"), esm[:80])
        self.assertGreater(len(esm), 100_000)


class Messages(unittest.TestCase):
    def test_the_page_gets_the_settings_and_the_bytes_as_a_buffer(self):
        w = RnnScope(view="figure", hidden_size=3, model=rnnscope.MODELS / "hello-rnn3.safetensors")
        state = w.get_state()
        self.assertEqual((state["view"], state["hidden_size"], state["corpus"]), ("figure", 3, None))
        self.assertEqual(bytes(state["model_bytes"]), (rnnscope.MODELS / "hello-rnn3.safetensors").read_bytes())

    def test_reports_from_the_page_arrive_as_traits(self):
        w = RnnScope()
        data = (rnnscope.MODELS / "hello-rnn3.safetensors").read_bytes()
        w.set_state({"step": 12, "loss": 0.5, "guesses": [["o", 0.9]], "info": {"vocab": ["e", "h", "l", "o"]},
                     "exported": memoryview(data), "exported_step": 12})
        self.assertEqual((w.step, w.loss, w.guesses, w.info["vocab"], w.exported_step), (12, 0.5, [["o", 0.9]], ["e", "h", "l", "o"], 12))
        self.assertEqual(w.export_model(), data)


if __name__ == "__main__":
    unittest.main()
