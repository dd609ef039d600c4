// The page's copy of a probe: the activations of the text being looked at, grown in place as the worker sends
// only the positions after the common prefix with the previous probe. Buffers grow by a quarter with room to spare; the ProbeData
// handed to the views (views/types.js) are subarrays of them. An answer from position 0 comes with room
// (protocol.js roomFor) and becomes the buffers itself, not copied into them.

import { roomFor } from '../engine/protocol.js';

/**
 * Fold a worker's PROBE answer `m` for `text` into `prev` (the last result, or null), reusing its buffers when the
 * shape is the same.
 * @param {{buffers: object|null, data: import('../views/types.js').ProbeData|null}} prev
 * @param {object} m the Evt.PROBE message
 * @param {string} text the text that was probed
 * @param {{cell: string, vocab: string[], gateNames: string[]}} info the model's info
 * @returns {{buffers: object, data: import('../views/types.js').ProbeData}}
 */
export function applyProbe(prev, m, text, info) {
  const chars = Array.from(text);
  const T = m.from + m.steps;
  const { layers: L, hidden: H, vocab: V, gates: G } = m;
  const old = prev.data;
  const sameShape = old && old.layers === L && old.hidden === H && old.vocab.length === V && old.gateNames.length === G;
  let b = prev.buffers;
  // Positions before this one hold what they held (the next probability of the one before a new character is new).
  let changedFrom = Math.max(0, m.from - 1);
  if (m.from === 0 && m.room >= T) {
    // A probe of every position in arrays with room: they become the buffers (no copy of tens of megabytes).
    b = adoptBuffers(m);
    changedFrom = 0;
  } else if (!sameShape || !b || m.from > old.steps || (m.from === 0 && T > b.cap)) {
    b = newBuffers(roomFor(T), L, H, V, G, !!m.c, !!m.gate);
    changedFrom = 0;
  } else if (m.from === 0) {
    // A fresh probe of every position (new weights) fills the buffers it fits in place: a probe of thousands of
    // positions would otherwise allocate (and collect) tens of megabytes on the main thread each time.
    changedFrom = 0;
  } else if (T > b.cap) {
    b = growBuffers(b, T, old.steps);
  }
  if (b.input !== m.input) {
    b.input.set(m.input, m.from);
    b.h.set(m.h, m.from * L * H);
    if (b.c && m.c) b.c.set(m.c, m.from * L * H);
    if (b.gate && m.gate) b.gate.set(m.gate, m.from * L * G * H);
    b.logits.set(m.logits, m.from * V);
    b.probs.set(m.probs, m.from * V);
  }
  for (let t = Math.max(0, m.from - 1); t < T; t++) {
    const next = t + 1 < T ? b.input[t + 1] : -1;
    const q = next >= 0 ? b.probs[t * V + next] : NaN;
    b.nextProb[t] = q;
    b.loss[t] = -Math.log(q);
  }
  // Where each probe since the buffers were made changed them, so a view can tell what changed since the data it
  // last drew (several probes may come between two of its frames).
  const seq = (old?.seq ?? 0) + 1;
  if (b !== prev.buffers || !b.changes) b.changes = [];
  b.changes.push([seq, changedFrom]);
  if (b.changes.length > CHANGES_KEPT) b.changes.shift();
  const changes = b.changes;
  const data = {
    seq,
    changedSince: (since) => firstChangeSince(changes, since, T),
    cell: info.cell,
    layers: L,
    hidden: H,
    gateNames: m.gateNames ?? info.gateNames,
    vocab: info.vocab,
    steps: T,
    chars: chars.slice(0, T),
    input: b.input.subarray(0, T),
    h: b.h.subarray(0, T * L * H),
    c: b.c ? b.c.subarray(0, T * L * H) : null,
    gate: b.gate ? b.gate.subarray(0, T * L * G * H) : null,
    logits: b.logits.subarray(0, T * V),
    probs: b.probs.subarray(0, T * V),
    nextProb: b.nextProb.subarray(0, T),
    loss: b.loss.subarray(0, T),
  };
  return { buffers: b, data };
}

/** Probes whose changes are remembered; a view further behind redraws everything. */
const CHANGES_KEPT = 64;

/**
 * The first position that may differ from what the ProbeData number `since` held, given `changes` ([seq, from] of
 * each probe, oldest first): 0 when `since` is older than what is remembered, `steps` when nothing changed.
 */
function firstChangeSince(changes, since, steps) {
  if (!changes.length || changes[0][0] > since + 1) return 0;
  let first = steps;
  for (const [seq, from] of changes) if (seq > since) first = Math.min(first, from);
  return first;
}

function newBuffers(cap, L, H, V, G, hasC, hasGate) {
  return {
    cap, L, H, V, G,
    input: new Int32Array(cap),
    h: new Float32Array(cap * L * H),
    c: hasC ? new Float32Array(cap * L * H) : null,
    gate: hasGate ? new Float32Array(cap * L * G * H) : null,
    logits: new Float32Array(cap * V),
    probs: new Float32Array(cap * V),
    nextProb: new Float32Array(cap),
    loss: new Float32Array(cap),
  };
}

/** The arrays of answer `m` (from position 0, with room for `m.room` positions) as buffers. */
function adoptBuffers(m) {
  const { layers: L, hidden: H, vocab: V, gates: G, room: cap } = m;
  return {
    cap, L, H, V, G,
    input: m.input, h: m.h, c: m.c ?? null, gate: m.gate ?? null, logits: m.logits, probs: m.probs,
    nextProb: new Float32Array(cap),
    loss: new Float32Array(cap),
  };
}

function growBuffers(b, need, keep) {
  const n = newBuffers(roomFor(need), b.L, b.H, b.V, b.G, !!b.c, !!b.gate);
  const { L, H, V, G } = b;
  n.input.set(b.input.subarray(0, keep));
  n.h.set(b.h.subarray(0, keep * L * H));
  if (b.c) n.c.set(b.c.subarray(0, keep * L * H));
  if (b.gate) n.gate.set(b.gate.subarray(0, keep * L * G * H));
  n.logits.set(b.logits.subarray(0, keep * V));
  n.probs.set(b.probs.subarray(0, keep * V));
  n.nextProb.set(b.nextProb.subarray(0, keep));
  n.loss.set(b.loss.subarray(0, keep));
  return n;
}

