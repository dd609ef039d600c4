// The page's analysis workers. An instrument runs on an engine of its own (engine.js in a worker, as the trainer's)
// that holds a snapshot of the scope's model, so it neither waits for a training step nor holds up the probes a
// keystroke asks of the scope's own engine. The snapshot is refreshed when the weights or the text have changed
// since (Cmd.SNAPSHOT answers `same` otherwise) and a result is wanted. At most one such worker per core, shared by
// every element on the page, started on first use and stopped when no element that used them is left. Where the
// scope's own engine runs on the main thread (no worker can start) or an analysis worker cannot start or stops,
// the scope's own engine answers, as before. While a scope's model rests (rest.js), its probes run here too.

import { EngineClient } from '../engine/client.js';
import { Cmd, ErrorKind } from '../engine/protocol.js';

/** The engines, the scopes that used them, and whether workers turned out not to start here. */
const pool = { engines: [], users: new Set(), off: false };

/** One analysis engine: its client, the snapshot it holds, and its jobs, one after another. */
class AnalysisEngine {
  constructor() {
    /** `{scope, client, generation, version}`: whose model it holds, from which engine (and its restart), as of which version; or null. */
    this.holds = null;
    this.busy = 0;
    this.queue = Promise.resolve();
    this.client = new EngineClient((msg) => {
      if (msg.type === 'main-thread') {
        // An analysis on the main thread would be the very wait this avoids: the scopes' own engines answer.
        pool.off = true;
        retire(this);
      } else if (msg.type === 'crash') {
        retire(this);
      }
    });
  }

  /** Run `job` after the jobs before it. */
  run(job) {
    this.busy++;
    const done = this.queue.then(job);
    this.queue = done.catch(() => {});
    return done.finally(() => this.busy--);
  }
}

function retire(engine) {
  pool.engines = pool.engines.filter((e) => e !== engine);
  engine.client.terminate();
}

/** The engine for `scope`: the one holding its model, else an idle one, else a new one (one per core), else the least busy. */
function engineFor(scope) {
  const holding = pool.engines.find((e) => e.holds?.scope === scope);
  if (holding) return holding;
  const idle = pool.engines.find((e) => e.busy === 0);
  if (idle) return idle;
  if (pool.engines.length < Math.max(1, globalThis.navigator?.hardwareConcurrency || 1)) {
    const e = new AnalysisEngine();
    pool.engines.push(e);
    return e;
  }
  return pool.engines.reduce((a, b) => (a.busy <= b.busy ? a : b));
}

/** Whether `scope`'s analyses (and, while its model rests, probes) can run on an analysis worker here. */
export function asideAvailable(scope) {
  return !pool.off && scope.client.mode === 'worker';
}

/**
 * Run `job(client)` on an analysis worker once it holds `scope`'s model as it is now (its engine's snapshot, loaded
 * when the weights or the text changed since). A failure of the worker (or of its start) retires it and rejects
 * with a FATAL error.
 */
async function onSnapshot(scope, job) {
  pool.users.add(scope);
  const engine = engineFor(scope);
  try {
    return await engine.run(async () => {
      const own = scope.client;
      const held = engine.holds?.scope === scope && engine.holds.client === own && engine.holds.generation === own.generation;
      const snap = await own.request({ type: Cmd.SNAPSHOT, have: held ? engine.holds.version : undefined });
      if (!snap.same) {
        engine.holds = null;
        await engine.client.request({ type: Cmd.LOAD, bytes: snap.bytes, config: snap.config, text: snap.text, trainable: false });
        engine.holds = { scope, client: own, generation: own.generation, version: snap.version };
      }
      return job(engine.client);
    });
  } catch (err) {
    if (err.kind === ErrorKind.FATAL && !scope.closed) retire(engine);
    throw err;
  }
}

/**
 * Run instrument `request` for `scope` on an analysis worker: `{report, step}` (`step`: the training step of the
 * weights it read), or null where none can (the caller asks the scope's own engine). Rejects with the engine's
 * reason for a request it refuses.
 */
export async function analyseAside(scope, request) {
  if (!asideAvailable(scope)) return null;
  try {
    const r = await onSnapshot(scope, (client) => client.request({ type: Cmd.ANALYSE, request }));
    return { report: r.report, step: r.step };
  } catch (err) {
    if (err.kind !== ErrorKind.FATAL || scope.closed) throw err;
    return null; // the scope's own engine answers
  }
}

/**
 * A probe (`Cmd.PROBE`) of `scope`'s resting model (rest.js), on an analysis worker: resolves with its answer as the
 * scope's engine would send it (its id), or null for one that has none (`follow`: sent only to a worker that holds
 * the model, for the fresh probe on its way there). Rejects where no worker can (the scope's engine wakes then),
 * or with the reason the probe was refused.
 */
export async function probeAside(scope, msg) {
  if (!asideAvailable(scope)) throw Object.assign(new Error('no analysis worker here'), { kind: ErrorKind.FATAL });
  if (msg.id === undefined) {
    pool.engines.find((e) => e.holds?.scope === scope && e.holds.client === scope.client)?.client.send(msg);
    return null;
  }
  const { id, ...probe } = msg;
  const answer = await onSnapshot(scope, (client) => client.request(probe));
  return { ...answer, id };
}

/** `scope` is gone: forget its snapshots, and stop every analysis worker once no scope that used them is left. */
export function releaseAnalysis(scope) {
  if (!pool.users.delete(scope)) return;
  for (const e of pool.engines) if (e.holds?.scope === scope) e.holds = null;
  if (pool.users.size === 0) for (const e of [...pool.engines]) retire(e);
}

/** How many analysis workers the page has now (for stats()). */
export function analysisWorkers() {
  return pool.engines.length;
}
