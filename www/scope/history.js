// A run's loss record: every step's training loss (nats/char), plus a bucketed copy of at most CHART_POINTS points
// for drawing long runs; and the units a loss can be shown in.

const CHART_POINTS = 1024;

export class LossHistory {
  constructor(offset = 0) {
    this.offset = offset; // step number before the first recorded loss
    this.data = new Float32Array(1024);
    this.length = 0;
    this.bucket = 1; // steps per display point
    this.points = []; // [{x: step at bucket end, sum, n}]
  }

  /** Append losses of steps offset+length+1 …; returns false if `firstStep` does not continue the history. */
  append(firstStep, losses) {
    if (firstStep !== this.offset + this.length) {
      // A gap (e.g. a recovered worker went back to an older step): restart the record from here.
      this.offset = firstStep;
      this.length = 0;
      this.points = [];
      this.bucket = 1;
    }
    if (this.length + losses.length > this.data.length) {
      let cap = this.data.length;
      while (cap < this.length + losses.length) cap *= 2;
      const next = new Float32Array(cap);
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(losses, this.length);
    for (let i = 0; i < losses.length; i++) this._point(this.offset + this.length + i + 1, losses[i]);
    this.length += losses.length;
    return true;
  }

  _point(step, v) {
    if (!Number.isFinite(v)) return;
    const last = this.points[this.points.length - 1];
    if (last && last.n < this.bucket) {
      last.sum += v;
      last.n++;
      last.x = step;
    } else {
      this.points.push({ x: step, sum: v, n: 1 });
    }
    if (this.points.length > CHART_POINTS) {
      const merged = [];
      for (let i = 0; i < this.points.length; i += 2) {
        const a = this.points[i];
        const b = this.points[i + 1];
        merged.push(b ? { x: b.x, sum: a.sum + b.sum, n: a.n + b.n } : a);
      }
      this.points = merged;
      this.bucket *= 2;
    }
  }

  /** The per-step losses as a plain array (test hook). */
  toArray() {
    return Array.from(this.data.subarray(0, this.length));
  }

  /** The last `n` losses (for autosave). */
  tail(n) {
    const from = Math.max(0, this.length - n);
    return { offset: this.offset + from, losses: this.data.slice(from, this.length) };
  }

  /** Display points [step, mean loss in nats] (at most CHART_POINTS of them). */
  series() {
    return this.points.map((p) => [p.x, p.sum / p.n]);
  }
}

/** Chart points [step, nats] of a history, and the smoothing weight that suits its bucket size. */
export function chartSeries(hist) {
  return { points: hist.series(), smooth: 0.95 ** hist.bucket };
}

/** nats/char → the unit shown. */
export function converter(units) {
  if (units === 'bits') return (v) => v / Math.LN2;
  if (units === 'ppl') return (v) => Math.exp(v);
  return (v) => v;
}
export const UNIT_LABEL = { nats: 'nats/char', bits: 'bits/char', ppl: 'perplexity' };


/** Fold a PROGRESS report into a run's record (`{hist, val, step, last, charsPerSec}`: the main run or a comparison run). */
export function onProgress(run, msg) {
  run.hist.append(msg.firstStep, msg.losses);
  run.step = msg.step;
  run.last = msg;
  if (msg.chars > 0) run.charsPerSec = msg.charsPerSec;
  if (msg.valLoss !== undefined && Number.isFinite(msg.valLoss)) run.val.push({ x: msg.valStep, y: msg.valLoss });
}
