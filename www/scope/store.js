// Autosave of the visitor's work in IndexedDB: the model bytes (.safetensors), the training text and the setup,
// so a reload, a closed tab or a crashed worker loses at most a few seconds of training. One record per key (each
// element that autosaves has its own), replaced on every save. Nothing leaves the browser. The database connection
// is opened once per page and shared.

const DB_NAME = 'rnnscope';
const DB_VERSION = 1;
const STORE = 'autosave';

/**
 * @typedef {object} Saved
 * @property {number} savedAt   Date.now() of the save
 * @property {object} state     the URL state (see state.js) at the time
 * @property {string} text      the training text
 * @property {Uint8Array|Blob} bytes the model as .safetensors (stored as a Blob; `load` answers a Uint8Array)
 * @property {Uint8Array|Blob} [trainingState] its training state (optimizer moments, data position; see the README;
 *   stored as a Blob)
 * @property {number} step      optimizer steps taken
 * @property {string} cell
 * @property {Float32Array} [losses] per-step training losses so far (for the chart)
 */

let dbPromise = null;

function openDb() {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser has no IndexedDB'));
      return;
    }
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('could not open IndexedDB'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
  dbPromise.catch(() => {
    dbPromise = null;
  });
  return dbPromise;
}

function run(mode, fn) {
  return openDb().then(
    (db) =>
      new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const req = fn(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(req ? req.result : undefined);
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
      }),
  );
}

/**
 * Save (replace) the autosave record under `key`.
 * @param {string} key
 * @param {Saved} record
 * @returns {Promise<void>}
 */
export function save(key, record) {
  // The model and its training state go in as Blobs: IndexedDB then writes them off the page's thread, where a put
  // of the arrays themselves cloned tens of megabytes on it (430 ms for a 2 × 512 LSTM's record).
  const blob = (a) => (a instanceof Uint8Array ? new Blob([a]) : a);
  const stored = { ...record, bytes: blob(record.bytes), trainingState: blob(record.trainingState) };
  return run('readwrite', (s) => s.put(stored, key));
}

/** Bytes stored as a Blob (or, by an older version, as the array itself); null for anything else. */
async function bytesOf(v) {
  if (v instanceof Uint8Array) return v;
  if (typeof Blob !== 'undefined' && v instanceof Blob) return new Uint8Array(await v.arrayBuffer());
  return null;
}

/**
 * The autosave record, or null if there is none (or IndexedDB is unavailable).
 * @returns {Promise<Saved|null>}
 */
export async function load(key) {
  try {
    const r = await run('readonly', (s) => s.get(key));
    if (!r || typeof r.text !== 'string') return null;
    const bytes = await bytesOf(r.bytes);
    if (!bytes) return null;
    return { ...r, bytes, trainingState: r.trainingState == null ? r.trainingState : await bytesOf(r.trainingState) };
  } catch {
    return null;
  }
}

/** Forget the autosave record. */
export function clear(key) {
  return run('readwrite', (s) => s.delete(key)).catch(() => undefined);
}

/**
 * Writes autosave records one at a time. A record handed over while another is being written is written right
 * after it (only the newest waiting one: it replaces the record anyway), so a save asked for on pause is never
 * dropped because a periodic one was still in progress.
 */
export class Autosaver {
  /**
   * @param {number} minMs at most one periodic save per this many ms
   * @param {string} key the record's key
   */
  constructor(minMs = 5000, key = 'current') {
    this.minMs = minMs;
    this.key = key;
    this.last = 0;
    /** @type {Promise<boolean>|null} the writing in progress */
    this.writing = null;
    /** @type {Saved|null} the record to write next */
    this.next = null;
    this.lastError = null;
    /** @type {Saved|null} the record last written */
    this.lastSaved = null;
  }

  /** True when a periodic save is due (at most one per `minMs`, none while one is being written). */
  due(now = Date.now()) {
    return !this.writing && now - this.last >= this.minMs;
  }

  /**
   * Write `record`, after the one being written if any.
   * @param {Saved} record
   * @returns {Promise<boolean>} whether the newest record handed over so far is written (see `lastSaved`)
   */
  write(record) {
    this.next = record;
    if (!this.writing) {
      this.writing = this.drain().finally(() => {
        this.writing = null;
      });
    }
    return this.writing;
  }

  async drain() {
    let ok = false;
    while (this.next) {
      const record = this.next;
      this.next = null;
      this.last = Date.now();
      try {
        await save(this.key, record);
        this.lastError = null;
        this.lastSaved = record;
        ok = true;
      } catch (err) {
        this.lastError = err instanceof Error ? err.message : String(err);
        ok = false;
      }
    }
    return ok;
  }

  /** The record under this saver's key, or null. */
  load() {
    return load(this.key);
  }

  /** Forget the record under this saver's key. */
  clear() {
    return clear(this.key);
  }
}
