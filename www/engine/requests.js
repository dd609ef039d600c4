// What the engine does for each request of protocol.js: one handler per `Cmd`, called with the engine as `this`
// (engine.js runs them in order, and turns what they throw into an `Evt.ERROR` or, for a trap, a rebuild).

import { Cmd, Evt, modelConfig } from './protocol.js';
import { withMatches } from './matches.js';

/** @type {Record<string, (this: import('./engine.js').Engine, msg: any) => (Promise<void>|void)>} */
export const HANDLERS = {
  [Cmd.CORPUS](msg) {
    this.post({ type: Evt.CORPUS, id: msg.id, name: msg.name, text: this.wasm.corpusText(msg.name) });
  },

  [Cmd.INSPECT](msg) {
    const { vocab, corpus } = this.wasm.modelFileInfo(msg.bytes);
    this.post({ type: Evt.INSPECTED, id: msg.id, vocab: Array.from(vocab), corpus });
  },

  [Cmd.CREATE](msg) {
    const next = new this.wasm.Session(modelConfig(msg.config), msg.text);
    this.haltForNewModel();
    this.replaceSession(next, msg.config, msg.text);
    this.trainable = true;
    this.post({ type: Evt.MODEL, id: msg.id, info: this.info, config: msg.config, textLength: msg.text.length });
  },

  [Cmd.LOAD](msg) {
    const next = this.wasm.Session.fromModel(msg.bytes, modelConfig(msg.config), msg.text);
    const resumed = this.resumeFrom(next, msg.trainingState);
    this.haltForNewModel();
    this.replaceSession(next, msg.config, msg.text);
    this.trainable = msg.trainable !== false;
    this.post({ type: Evt.MODEL, id: msg.id, info: this.info, config: msg.config, textLength: msg.text.length, loaded: true, resumed });
  },

  [Cmd.SET_TEXT](msg) {
    this.requireSession();
    this.session.setText(msg.text);
    this.version++;
    this.trainable = true;
    this.current = { config: this.current.config, text: msg.text };
    if (this.lastGood) this.lastGood = { ...this.lastGood, text: msg.text };
    this.post({ type: Evt.TEXT, id: msg.id, textLength: msg.text.length });
  },

  [Cmd.SET_PARAMS](msg) {
    this.requireSession();
    if (msg.lr !== undefined) {
      this.session.setLearningRate(msg.lr);
      this.current = { ...this.current, config: { ...this.current.config, lr: msg.lr } };
    }
    if (msg.clip !== undefined) {
      this.session.setClip(msg.clip);
      this.current = { ...this.current, config: { ...this.current.config, clip: msg.clip } };
    }
  },

  [Cmd.START](msg) {
    this.requireTrainable();
    this.stepsLeft = msg.maxSteps > 0 ? msg.maxSteps : Infinity;
    const workers = msg.workers > 1 ? 2 : 1;
    if (!this.running) {
      this.shared.use(workers);
      this.running = true;
      this.progress.started(performance.now());
      this.post({ type: Evt.STATUS, running: true, step: this.info.step, workers: this.shared.workers });
    }
    this.schedule();
  },

  [Cmd.HELPER](msg) {
    this.shared.addHelper(msg.port);
  },

  [Cmd.HELPER_LOST](msg) {
    this.shared.lose(String(msg.message || 'a helper worker stopped'));
  },

  [Cmd.PAUSE]() {
    if (!this.running) {
      this.post({ type: Evt.STATUS, running: false, step: this.info ? this.info.step : 0, reason: 'paused' });
      return undefined;
    }
    this.stopRunning('paused');
    // A shared step in flight still lands; the snapshot waits for it.
    if (this.shared.inflight) return this.shared.inflight.then(() => this.session && this.snapshot());
    if (this.session) this.snapshot();
    return undefined;
  },

  [Cmd.STEP](msg) {
    this.requireTrainable();
    if (this.running) this.stopRunning('paused');
    if (this.trainSteps(Math.max(1, msg.n | 0 || 1)) === null) return;
    if (this.current.config.valFraction > 0) this.progress.measureValidation(this.session, this.info.step, performance.now());
    this.progress.flush(true);
  },

  [Cmd.PROBE](msg) {
    this.requireSession();
    if (msg.reset) {
      this.fresh.begin(msg);
      return;
    }
    if (msg.follow) {
      this.fresh.follow(msg.text);
      return;
    }
    const t0 = performance.now();
    // The page holds the first `have` positions of what it shows: answer from no further on.
    if (Number.isInteger(msg.have) && msg.have >= 0) this.session.probeKeep(msg.have);
    const p = this.session.probe(msg.text);
    this.postProbe(msg.id, p, msg.text, performance.now() - t0);
    this.fresh.follow(msg.text);
  },

  [Cmd.SAMPLE](msg) {
    this.requireSession();
    if (this.sample) this.post({ type: Evt.SAMPLE, id: this.sample.id, text: '', done: true });
    this.sample = null;
    this.session.sampleBegin(msg.prime, msg.temperature, msg.topK | 0, BigInt(msg.seed >>> 0));
    this.sample = { id: msg.id, left: Math.max(0, msg.length | 0), per: 16 };
    if (this.sample.left === 0) {
      this.post({ type: Evt.SAMPLE, id: msg.id, text: '', done: true });
      this.sample = null;
    }
    this.schedule();
  },

  [Cmd.SAMPLE_CANCEL]() {
    if (this.sample) this.post({ type: Evt.SAMPLE, id: this.sample.id, text: '', done: true });
    this.sample = null;
  },

  [Cmd.WEIGHTS](msg) {
    this.requireSession();
    const tensors = Array.from(this.session.parameters(), (t) => ({ name: t.name, shape: Array.from(t.shape), data: this.own(t.data) }));
    this.post({ type: Evt.WEIGHTS, id: msg.id, step: this.info.step, tensors });
  },

  [Cmd.SET_WEIGHT](msg) {
    this.requireSession();
    if (this.running) this.stopRunning('paused');
    this.session.setParameter(String(msg.name), msg.index >>> 0, Number(msg.value));
    this.version++;
    this.post({ type: Evt.WEIGHT_SET, id: msg.id, name: msg.name, index: msg.index, value: msg.value });
  },

  [Cmd.ANALYSE](msg) {
    this.requireSession();
    const report = this.session.analyse(withMatches(msg.request));
    this.post({ type: Evt.ANALYSIS, id: msg.id, step: this.info.step, report });
  },

  [Cmd.SNAPSHOT](msg) {
    this.requireSession();
    if (msg.have === this.version) {
      this.post({ type: Evt.SNAPSHOT, id: msg.id, version: this.version, same: true });
      return;
    }
    const bytes = this.own(this.modelFile()); // the engine keeps no reference: this one is transferred
    this.post({ type: Evt.SNAPSHOT, id: msg.id, version: this.version, step: this.info.step, bytes, config: this.current.config, text: this.current.text });
  },

  [Cmd.SET_CLAMPS](msg) {
    this.requireSession();
    this.session.setClamps(msg.clamps);
    this.post({ type: Evt.CLAMPS, id: msg.id, clamps: msg.clamps });
  },

  [Cmd.GET_BYTES](msg) {
    this.requireSession();
    const { bytes, state } = this.snapshot();
    // Keep our own copies; transfer second ones. With `blobs` (autosave) also the same as Blobs, made here: IndexedDB
    // stores a Blob without a structured clone of tens of megabytes, and making one on the page's thread copies them there.
    const blobs = msg.blobs && typeof Blob !== 'undefined' ? { bytes: new Blob([bytes]), trainingState: new Blob([state]) } : null;
    this.post({ type: Evt.BYTES, id: msg.id, bytes: bytes.slice(), trainingState: state.slice(), blobs, step: this.info.step });
  },

  [Cmd.REST](msg) {
    this.requireSession();
    if (this.running || this.sample || this.fresh.job || this.shared.inflight) throw new Error('the model is busy (training, sampling or probing)');
    const { bytes, state } = this.snapshot();
    const { config, text } = this.current;
    // Copies travel: if the page does not stop this worker after all, its last good model stays whole.
    this.post({ type: Evt.REST, id: msg.id, bytes: bytes.slice(), trainingState: state.slice(), config, text, trainable: this.trainable, version: this.version, step: this.info.step });
  },
};
