// TensorFlow.js's training throughput for one case, in the browser page benches/tfjs/index.html (classic script,
// after tf.min.js and tf-backend-wasm.min.js). benches/page-train.mjs calls window.tfBench(spec) for each case.
//
// The model: tf.layers.lstm / gru / simpleRNN (tanh), stacked for 2 layers, returnSequences, then a dense softmax
// over the vocabulary, compiled with categorical cross-entropy and tf.train.adam / adagrad at the case's learning
// rate, trained with model.trainOnBatch on one-hot windows [B, T, V] of tinyshakespeare (the next T characters of
// each of B contiguous streams, targets shifted by one). The layers are stateful (batchInputShape fixed), so the
// recurrent state carries from one window to the next, as in rnnscope's trainer. The gates use 'sigmoid' (TF.js's
// default recurrentActivation is 'hardSigmoid'). tf.js optimizers have no global-norm clipping, so the clip of 5 is
// not applied (one norm over the parameters per step is a small part of a step's cost).
/* global tf, window, self, performance, fetch */

window.tfBench = {
  /** Load the wasm backend from the serving origin (setWasmPaths), and report what it found. */
  async init(wasmPrefix) {
    tf.wasm.setWasmPaths(wasmPrefix);
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    return {
      ok,
      backend: tf.getBackend(),
      version: tf.version.tfjs,
      simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
      crossOriginIsolated: self.crossOriginIsolated === true,
    };
  },

  /**
   * Train `spec` ({cell, hidden, layers, seqLen, batch, optimizer, lr}) for `warmupSeconds`, then `rounds` rounds
   * of about `roundSeconds` each; answers the characters per second of each round.
   */
  async run(spec, { rounds, roundSeconds, warmupSeconds }) {
    const text = await (await fetch('corpus.txt')).text();
    const chars = Array.from(new Set(Array.from(text))).sort();
    const index = new Map(chars.map((c, i) => [c, i]));
    const ids = Int32Array.from(Array.from(text), (c) => index.get(c));
    const V = chars.length;
    const { cell, hidden: H, layers: L, seqLen: T, batch: B } = spec;

    const model = tf.sequential();
    for (let l = 0; l < L; l++) {
      const common = { units: H, returnSequences: true, stateful: true, ...(l === 0 ? { batchInputShape: [B, T, V] } : {}) };
      if (cell === 'lstm') model.add(tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' }));
      else if (cell === 'gru') model.add(tf.layers.gru({ ...common, recurrentActivation: 'sigmoid' }));
      else model.add(tf.layers.simpleRNN({ ...common, activation: 'tanh' }));
    }
    model.add(tf.layers.dense({ units: V, activation: 'softmax' }));
    const optimizer = spec.optimizer === 'adagrad' ? tf.train.adagrad(spec.lr) : tf.train.adam(spec.lr);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });

    const stream = Math.floor((ids.length - 1) / B);
    let pos = 0;
    const xs = new Int32Array(B * T);
    const ys = new Int32Array(B * T);
    const step = async () => {
      if (pos + T > stream) {
        pos = 0;
        model.resetStates();
      }
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          xs[b * T + t] = ids[b * stream + pos + t];
          ys[b * T + t] = ids[b * stream + pos + t + 1];
        }
      }
      pos += T;
      const [x, y] = tf.tidy(() => [
        tf.oneHot(tf.tensor2d(xs, [B, T], 'int32'), V).toFloat(),
        tf.oneHot(tf.tensor2d(ys, [B, T], 'int32'), V).toFloat(),
      ]);
      const loss = await model.trainOnBatch(x, y); // resolves after the step, with the loss read back
      x.dispose();
      y.dispose();
      return loss;
    };
    const train = async (seconds) => {
      const t0 = performance.now();
      let steps = 0;
      do {
        await step();
        steps++;
      } while (performance.now() - t0 < seconds * 1000);
      return (steps * T * B) / ((performance.now() - t0) / 1000);
    };

    await train(warmupSeconds);
    const rates = [];
    for (let r = 0; r < rounds; r++) rates.push(await train(roundSeconds));
    const lastLoss = await step();
    model.dispose();
    optimizer.dispose();
    return { rates, lastLoss, vocab: V, tensors: tf.memory().numTensors };
  },
};
