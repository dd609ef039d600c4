// Where the files an element reads (model files, training texts, the shipped models' manifest) are found: never
// from the page's address by accident. A relative URL is resolved against, in order, the element's `base`
// attribute, the page-wide `RnnScopeElement.base`, and the folder the code itself was loaded from (a copy of dist/
// keeps its models/ beside rnn-scope.js). Code loaded from a blob: or data: URL has no folder: a relative URL then
// needs a base, and the message says so. And what comes back is checked: an HTML page where a model was expected
// (a wrong path on many hosts answers with one) is named as such.

import { CODE_ROOT } from '../engine/carried.js';

/**
 * The URL `url` names, for an element whose base is `base` (its attribute or the page-wide setting, or null).
 * Throws a sentence when it cannot tell.
 * @param {string} url
 * @param {string|null} base
 */
export function resolveAsset(url, base) {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return new URL(url).href;
  const root = base ? new URL(base, document.baseURI).href : CODE_ROOT;
  if (root) return new URL(url, root).href;
  if (url.startsWith('/')) return new URL(url, document.baseURI).href;
  throw new Error(
    `“${url}” is a relative URL, and this copy of rnnscope was loaded from a ${new URL(import.meta.url).protocol} URL, so it has no ` +
      'folder to find it in: give an absolute URL (or one starting with /), or set the base attribute (or RnnScopeElement.base) to the folder it is in',
  );
}

/**
 * Fetch `url` as `kind` ('model' or 'text'): its bytes, or an error that names the URL and what came back (an HTTP
 * error, a network failure, or an HTML page instead of the file).
 * @returns {Promise<Uint8Array>}
 */
export async function fetchAsset(url, kind) {
  let res;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`${url} could not be fetched (${err.message})`, { cause: err });
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const type = res.headers.get('content-type') || '';
  const looksHtml = /^\s*<(!doctype|html|head|body)/i.test(new TextDecoder().decode(bytes.subarray(0, 64)));
  const wantHtml = kind === 'text' && /\.html?$/i.test(new URL(url).pathname);
  if ((/text\/html/i.test(type) || looksHtml) && !wantHtml) {
    throw new Error(`${url} answered with an HTML page (${type || 'no content type'}, ${bytes.length.toLocaleString('en')} bytes), not a ${kind === 'model' ? 'model file' : 'text file'}: check the URL`);
  }
  return bytes;
}
