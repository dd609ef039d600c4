// Drawing an element's panels from its controller's state, on requestAnimationFrame: what changed is marked
// pending per panel (a worker report never draws by itself), and each frame draws what is pending in the panels'
// order within a budget. A panel out of view keeps its parts until it scrolls back (cheap parts that hold the state
// of controls excepted); a part whose draw answers false (the hell diagram, a few columns at a time) goes on in the
// next frame. Together these keep every main-thread task short while a model trains.
//
// The work of a frame is bounded by construction, not only by the clock: each panel declares the most work of each
// kind (panels/panel.js `Work`) one of its draws does (`static work`), each part is drawn at most once a frame, and
// the loop counts what the draws report (`spend`), so `workStats()` can show that no frame did more than the sum of
// what its panels declare.

import { Parts, PROBE_PARTS } from '../scope/parts.js';

const FRAME_BUDGET_MS = 8;
/** Cheap parts that hold the state of controls: drawn at once even in a panel out of view. */
const ALWAYS_DRAWN = new Set([Parts.STATUS, Parts.CONTROLS, Parts.GUESSES, Parts.MESSAGES, Parts.RESTORE, Parts.AUTOSAVE]);

export class FrameLoop {
  /** @param {import('../panels/panel.js').Panel[]} panels, each with `static parts = [[name, method]]` and `el` */
  constructor(panels) {
    this.panels = panels;
    /** @type {Map<object, Set<string>>} each panel's parts still to draw */
    this.pending = new Map(panels.map((p) => [p, new Set()]));
    this.frame = 0;
    this.drawCount = new Map();
    /**
     * Work done in the frame being drawn (`now`: per panel, by kind), and the most any budgeted frame gave each panel
     * (`most`); `frames` counts the budgeted frames.
     */
    this.work = { counting: false, frames: 0, now: new Map(), most: new Map(panels.map((p) => [p, new Map()])) };
    for (const p of panels) p.frames = this;
    this.drawWaiters = [];
    this.onScreen = new Set();
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (e.isIntersecting) this.onScreen.add(e.target);
        else this.onScreen.delete(e.target);
      }
      this.mark();
    });
    for (const p of panels) this.observer.observe(p.el);
  }

  /** Stop drawing; `drawn()` promises still waiting resolve false. */
  stop() {
    this.observer.disconnect();
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.stopped = true;
    for (const w of this.drawWaiters.splice(0)) w.resolve(false);
  }

  /** Mark `parts` to be drawn on the next frame, in every panel that draws them. */
  mark(...parts) {
    if (this.stopped) return;
    for (const part of parts) {
      for (const q of part === Parts.PROBE ? PROBE_PARTS : [part]) {
        for (const [panel, set] of this.pending) if (panel.constructor.parts.some(([name]) => name === q)) set.add(q);
      }
    }
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  /** Whether a panel is where the visitor can see it (drawn now) or not (drawn when it scrolls into view). */
  shown(panel) {
    return this.onScreen.has(panel.el);
  }

  /** Draw what is pending (everything, on screen or not, with `drawAll`). */
  draw(drawAll = false) {
    this.frame = 0;
    const t0 = performance.now();
    let again = false;
    const touched = new Set();
    // A frame drawn with `drawAll` (before a full-page screenshot) has no budget and is not counted.
    this.work.counting = !drawAll;
    this.work.now.clear();
    outer: for (const [panel, set] of this.pending) {
      if (!set.size) continue;
      const shown = drawAll || this.shown(panel);
      for (const [part, method] of panel.constructor.parts) {
        if (!set.has(part) || (!shown && !ALWAYS_DRAWN.has(part))) continue;
        if (!drawAll && performance.now() - t0 > FRAME_BUDGET_MS) {
          again = true;
          break outer;
        }
        set.delete(part);
        touched.add(part);
        const a = performance.now();
        if (panel[method](drawAll) === false) {
          set.add(part);
          again = true;
        }
        // Diagnostics: a test (or a curious visitor) can set window.__renderTimes = [] to see slow parts.
        const dt = performance.now() - a;
        if (dt > 6 && Array.isArray(window.__renderTimes)) window.__renderTimes.push({ part, ms: dt, at: a });
      }
    }
    for (const part of touched) if (!this.pendingShown(part)) this.drawCount.set(part, (this.drawCount.get(part) ?? 0) + 1);
    if (this.work.counting) {
      this.work.frames++;
      for (const [panel, done] of this.work.now) {
        const most = this.work.most.get(panel);
        for (const [kind, n] of done) most.set(kind, Math.max(n, most.get(kind) ?? 0));
      }
      this.work.counting = false;
    }
    if (again && !this.frame) this.frame = requestAnimationFrame(() => this.draw());
    this.settle();
  }

  /** A draw of `panel` in this frame did `n` units of work of `kind`. */
  spend(panel, kind, n) {
    if (!this.work.counting) return;
    if (!this.work.now.has(panel)) this.work.now.set(panel, new Map());
    const done = this.work.now.get(panel);
    done.set(kind, (done.get(kind) ?? 0) + n);
  }

  /**
   * The work frames did: `{frames, panels: [{panel, most: {kind: n}, bounds: {kind: n}}]}`, for each panel (its
   * class's name) the most of each kind one frame gave it and the most it declares one frame may (`static work`).
   */
  workStats() {
    const panels = this.panels.map((p) => ({
      panel: p.constructor.name,
      most: Object.fromEntries(this.work.most.get(p)),
      bounds: { ...(p.constructor.work ?? {}) },
    }));
    return { frames: this.work.frames, panels };
  }

  /** Whether a panel in view still has `part` to draw. */
  pendingShown(part) {
    for (const [panel, set] of this.pending) if (set.has(part) && (this.shown(panel) || ALWAYS_DRAWN.has(part))) return true;
    return false;
  }

  /** Resolves once everything marked so far is drawn, except in panels out of view (they draw when seen). */
  drawn() {
    return new Promise((resolve) => {
      const wanted = new Set([...this.pending.values()].flatMap((set) => [...set]));
      const since = new Map([...wanted].map((name) => [name, this.drawCount.get(name) ?? 0]));
      this.drawWaiters.push({ since, resolve });
      this.settle();
    });
  }

  /** Draw every part of every panel on the next frame, on screen or not (before a full-page screenshot). */
  drawEverything() {
    return new Promise((resolve) => {
      for (const [panel, set] of this.pending) for (const [part] of panel.constructor.parts) set.add(part);
      cancelAnimationFrame(this.frame);
      this.frame = 0;
      requestAnimationFrame(() => {
        this.draw(true);
        requestAnimationFrame(() => resolve(true));
      });
    });
  }

  settle() {
    for (let i = this.drawWaiters.length - 1; i >= 0; i--) {
      const { since, resolve } = this.drawWaiters[i];
      const done = [...since].every(([part, n]) => (this.drawCount.get(part) ?? 0) > n || !this.pendingShown(part));
      if (done) {
        this.drawWaiters.splice(i, 1);
        resolve(true);
      }
    }
  }
}
