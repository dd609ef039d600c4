// The element's hooks (`el.hooks`): read-only views of its state for the browser tests, the benchmarks and the
// curious (window.rnnscope on the full page), and the few nudges they need (draw everything now, rest now).

/** @param {import('../rnn-scope.js').RnnScopeElement} el */
export function elementHooks(el) {
  const s = () => el.scope;
  return {
    lossHistory: () => s()?.hist.toArray() ?? [],
    lossOffset: () => s()?.hist.offset ?? 0,
    step: () => s()?.step ?? 0,
    running: () => s()?.running ?? false,
    state: () => ({ ...(s()?.st ?? {}) }),
    info: () => (s()?.model ? { ...s().model.info } : null),
    sampleChunks: () => s()?.sample.chunks ?? 0,
    probe: () => s()?.probe.data ?? null,
    modelGeneration: () => s()?.modelGeneration ?? 0,
    probeGeneration: () => s()?.probe.generation ?? 0,
    localProbes: () => s()?.probe.localStats() ?? { count: 0, ready: false, off: null },
    clamps: () => (s()?.instruments.clamps ?? []).map((c) => ({ ...c })),
    resumed: () => s()?.model?.resumed ?? null,
    ready: () => Boolean(s()?.model && s()?.probe.data),
    engineMode: () => s()?.engineMode ?? 'none',
    workers: () => s()?.workers ?? 1,
    drawEverything: () => el.frames?.drawEverything() ?? Promise.resolve(false),
    drawn: () => el.frames?.drawn() ?? Promise.resolve(false),
    frameWork: () => el.frames?.workStats() ?? null,
    resting: () => s()?.rest.resting ?? false,
    /** Rest now if nothing needs the engine (rest.js), whatever the time since it was last asked: resolves whether it rests. */
    rest: () => s()?.rest.check({ now: true }) ?? Promise.resolve(false),
  };
}
