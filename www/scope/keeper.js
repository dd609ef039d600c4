// Keeping a scope's work in this browser: autosave to IndexedDB under the scope's key (store.js) while it trains and
// on pause, and after a reload the offer to restore it — training state included, so training goes on exactly.

import * as S from './state.js';
import { CELL_NAMES } from './state.js';
import * as store from './store.js';
import { LossHistory } from './history.js';
import { textStats, num } from './text.js';
import { Parts } from './parts.js';

const AUTOSAVE_MS = 5000;

/** A Date → 'HH:MM:SS' (local time) */
const clock = (d) => [d.getHours(), d.getMinutes(), d.getSeconds()].map((v) => String(v).padStart(2, '0')).join(':');

export class Keeper {
  /**
   * @param {import('./scope.js').Scope} scope
   * @param {string} key the IndexedDB record's key
   */
  constructor(scope, key) {
    this.scope = scope;
    this.saver = new store.Autosaver(AUTOSAVE_MS, key);
    /** @type {store.Saved|null} a record offered for restore, until the visitor decides */
    this.offered = null;
    this.offerText = '';
    this.decided = false;
    this.lastSaveStep = -1;
    /** What the last save did, for the page. */
    this.info = '';
  }

  /** Save the model now (`force`), or when a periodic save is due. Never throws. */
  async save(force = false) {
    const s = this.scope;
    if (!s.model || this.offered || s.step === this.lastSaveStep || s.closed) return;
    if (!force && !this.saver.due()) return;
    try {
      const r = await s.getBytes({ blobs: true });
      const tail = s.hist.tail(200_000);
      const ok = await this.saver.write({
        savedAt: Date.now(),
        state: { ...s.st },
        text: s.text.value,
        textLabel: s.text.label,
        trainable: s.text.trainable,
        // Blobs made by the engine where it has them (store.js would otherwise make them on this thread).
        bytes: r.blobs?.bytes ?? r.bytes,
        trainingState: r.blobs?.trainingState ?? r.trainingState,
        step: r.step,
        cell: s.model.info.cell,
        lossOffset: tail.offset,
        losses: tail.losses,
      });
      if (ok) {
        // Written together with any save asked for meanwhile: say what is stored now.
        const step = this.saver.lastSaved.step;
        this.lastSaveStep = step;
        this.info = `Autosaved in this browser at step ${step} (${clock(new Date(this.saver.lastSaved.savedAt))}).`;
      } else if (this.saver.lastError) {
        this.info = `Autosave is not working here: ${this.saver.lastError}`;
      }
      s.changed(Parts.AUTOSAVE);
    } catch {
      // The model changed or the worker restarted meanwhile; the next tick tries again.
    }
  }

  /** Offer the record a last session left, if any (autosave waits until the visitor decides). */
  async offer() {
    const rec = await this.saver.load();
    if (!rec || this.decided || this.scope.closed) return;
    this.offered = rec;
    const ago = Math.max(0, Math.round((Date.now() - rec.savedAt) / 60000));
    const when = ago < 1 ? 'less than a minute ago' : ago === 1 ? '1 minute ago' : ago < 120 ? `${ago} minutes ago` : `${new Date(rec.savedAt).toDateString()} ${clock(new Date(rec.savedAt))}`;
    this.offerText = `Your last session left a ${CELL_NAMES[rec.cell] ?? rec.cell} model in this browser (step ${num(rec.step)}, ${num(textStats(rec.text).chars)} characters of text, saved ${when}). Autosave is paused until you choose.`;
    this.scope.changed(Parts.RESTORE);
  }

  async restore() {
    const s = this.scope;
    const rec = this.offered;
    if (!rec) return;
    this.offered = null;
    this.decided = true;
    s.changed(Parts.RESTORE);
    if (s.running) s.pause();
    const state = { ...S.defaults(), ...rec.state };
    try {
      await s.files.loadBytes(rec.bytes.slice(), 'your autosaved model', { state, text: rec.text, trainableText: rec.trainable !== false, trainingState: rec.trainingState?.slice() ?? null });
      s.text.label = rec.textLabel || 'restored text';
      if (rec.losses && rec.losses.length) {
        s.hist = new LossHistory(rec.lossOffset ?? 0);
        s.hist.append(rec.lossOffset ?? 0, rec.losses);
      }
      this.lastSaveStep = rec.step;
      s.unsay('corpus'); // a warning about the link's text no longer applies
      s.changed(Parts.CHART, Parts.CONTROLS, Parts.STATUS);
    } catch (err) {
      s.say(`Could not restore the autosaved model: ${err.message}. Your current model is unchanged.`, 'error', 'restore');
    }
  }

  discard() {
    this.offered = null;
    this.decided = true;
    this.scope.changed(Parts.RESTORE);
    this.saver.clear();
  }
}
