// embed.html: one <rnn-scope> driven by the URL fragment, for course platforms that take an iframe but strip
// scripts: #view=diagram&model=models/shakespeare-lstm.safetensors&probe=To%20be. The keys are the element's
// attributes (their property names are accepted too: seqLen for seq-len, hiddenSize for hidden-size; and hidden,
// the hidden size's name in older links), plus `text` for a training text. A change of the fragment sets the
// element up again. The page tells its parent its height, `{context: 'iframe.resize', height}`, whenever it changes.

import './rnn-scope.js';

const ATTRIBUTE_OF = { hidden: 'hidden-size' };

function setUp() {
  const main = document.getElementById('embed');
  const el = document.createElement('rnn-scope');
  el.setAttribute('loading', 'eager');
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const text = params.get('text');
  const known = new Set(customElements.get('rnn-scope').observedAttributes);
  const unknown = [];
  for (const [key, value] of params) {
    if (key === 'text') continue;
    const attr = ATTRIBUTE_OF[key] ?? key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (known.has(attr) && attr !== 'url-state' && attr !== 'autosave') el.setAttribute(attr, value);
    else unknown.push(key);
  }
  const note = document.createElement('p');
  note.className = 'embed-problem';
  note.dataset.testid = 'embed-problem';
  note.setAttribute('role', 'alert');
  note.hidden = unknown.length === 0;
  note.textContent = unknown.length ? `This link has settings rnnscope does not know: ${unknown.join(', ')}. They were ignored.` : '';
  if (text) el.textContent = text; // an author's training text, as the element's content
  if (!el.hasAttribute('view')) el.setAttribute('view', 'diagram');
  main.replaceChildren(note, el);
  window.rnnscope = el.hooks;
}

let lastHeight = -1;
new ResizeObserver(() => {
  const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
  if (height === lastHeight || window.parent === window) return;
  lastHeight = height;
  window.parent.postMessage({ context: 'iframe.resize', height }, '*');
}).observe(document.documentElement);

window.addEventListener('hashchange', setUp);
setUp();
