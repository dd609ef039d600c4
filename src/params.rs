//! Every parameter tensor by its PyTorch `state_dict` name, stored in one flat buffer.
//!
//! The flat buffer makes optimizers and clipping one loop; the layout maps names to ranges. Order:
//! for each layer `k`: `rnn.weight_ih_l{k}` `(G·H, In)`, `rnn.weight_hh_l{k}` `(G·H, H)`,
//! `rnn.bias_ih_l{k}` `(G·H)`, `rnn.bias_hh_l{k}` `(G·H)`; then `decoder.weight` `(V, H)`, `decoder.bias` `(V)`.

use crate::model_config::ModelConfig;
use std::ops::Range;

/// One named tensor inside the flat buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<usize>,
    pub range: Range<usize>,
}

/// Where every tensor of a model lives in the flat buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub tensors: Vec<TensorSpec>,
    pub total: usize,
}

impl Layout {
    pub fn new(config: &ModelConfig) -> Layout {
        let (v, h, gh) = (
            config.vocab_size,
            config.hidden,
            config.cell.gates() * config.hidden,
        );
        let mut shapes: Vec<(String, Vec<usize>)> = Vec::new();
        for k in 0..config.layers {
            let input = if k == 0 { v } else { h };
            shapes.push((format!("rnn.weight_ih_l{k}"), vec![gh, input]));
            shapes.push((format!("rnn.weight_hh_l{k}"), vec![gh, h]));
            shapes.push((format!("rnn.bias_ih_l{k}"), vec![gh]));
            shapes.push((format!("rnn.bias_hh_l{k}"), vec![gh]));
        }
        shapes.push(("decoder.weight".into(), vec![v, h]));
        shapes.push(("decoder.bias".into(), vec![v]));
        Layout::from_shapes(shapes)
    }

    /// Named tensors one after another in a flat buffer, in the order given.
    pub fn from_shapes(shapes: Vec<(String, Vec<usize>)>) -> Layout {
        let mut offset = 0;
        let tensors = shapes
            .into_iter()
            .map(|(name, shape)| {
                let len: usize = shape.iter().product();
                let range = offset..offset + len;
                offset += len;
                TensorSpec { name, shape, range }
            })
            .collect();
        Layout {
            tensors,
            total: offset,
        }
    }

    pub fn get(&self, name: &str) -> Option<&TensorSpec> {
        self.tensors.iter().find(|t| t.name == name)
    }
}

/// The four tensors of one layer, borrowed from a flat buffer.
pub struct LayerParams<'a> {
    /// `(G·H, In)` input → gates, rows in gate-block order.
    pub w_ih: &'a [f32],
    /// `(G·H, H)` hidden → gates.
    pub w_hh: &'a [f32],
    /// `(G·H)`.
    pub b_ih: &'a [f32],
    /// `(G·H)`.
    pub b_hh: &'a [f32],
}

/// The four gradient tensors of one layer, mutably borrowed from a flat buffer.
pub struct LayerGrads<'a> {
    pub w_ih: &'a mut [f32],
    pub w_hh: &'a mut [f32],
    pub b_ih: &'a mut [f32],
    pub b_hh: &'a mut [f32],
}

/// Sizes needed to find a layer's tensors inside a flat buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub v: usize,
    pub h: usize,
    pub gh: usize,
    pub layers: usize,
}

impl Sizes {
    pub fn new(config: &ModelConfig) -> Sizes {
        Sizes {
            v: config.vocab_size,
            h: config.hidden,
            gh: config.cell.gates() * config.hidden,
            layers: config.layers,
        }
    }

    fn layer_len(&self, k: usize) -> usize {
        let input = if k == 0 { self.v } else { self.h };
        self.gh * input + self.gh * self.h + 2 * self.gh
    }

    fn layer_start(&self, k: usize) -> usize {
        (0..k).map(|j| self.layer_len(j)).sum()
    }

    fn decoder_start(&self) -> usize {
        self.layer_start(self.layers)
    }

    fn layer_split(&self, k: usize) -> [usize; 4] {
        let input = if k == 0 { self.v } else { self.h };
        [self.gh * input, self.gh * self.h, self.gh, self.gh]
    }

    pub fn layer<'a>(&self, flat: &'a [f32], k: usize) -> LayerParams<'a> {
        let start = self.layer_start(k);
        let [a, b, c, _] = self.layer_split(k);
        let s = &flat[start..start + self.layer_len(k)];
        let (w_ih, s) = s.split_at(a);
        let (w_hh, s) = s.split_at(b);
        let (b_ih, b_hh) = s.split_at(c);
        LayerParams {
            w_ih,
            w_hh,
            b_ih,
            b_hh,
        }
    }

    pub fn layer_mut<'a>(&self, flat: &'a mut [f32], k: usize) -> LayerGrads<'a> {
        let start = self.layer_start(k);
        let [a, b, c, _] = self.layer_split(k);
        let s = &mut flat[start..start + self.layer_len(k)];
        let (w_ih, s) = s.split_at_mut(a);
        let (w_hh, s) = s.split_at_mut(b);
        let (b_ih, b_hh) = s.split_at_mut(c);
        LayerGrads {
            w_ih,
            w_hh,
            b_ih,
            b_hh,
        }
    }

    /// `decoder.weight` `(V, H)` and `decoder.bias` `(V)`.
    pub fn decoder<'a>(&self, flat: &'a [f32]) -> (&'a [f32], &'a [f32]) {
        flat[self.decoder_start()..].split_at(self.v * self.h)
    }

    pub fn decoder_mut<'a>(&self, flat: &'a mut [f32]) -> (&'a mut [f32], &'a mut [f32]) {
        let start = self.decoder_start();
        flat[start..].split_at_mut(self.v * self.h)
    }
}
