// custom-elements.json, the element's manifest that editors and documentation tools read, says what the element
// really has: its observed attributes and the properties they reflect to, the views the `view` attribute takes, its
// public methods and static settings, the events it fires and the parts a page can style, each checked against the
// element as the browser runs it.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, WAIT, openPage, serverAndBrowser } from './helpers.mjs';

const env = serverAndBrowser();
const manifest = JSON.parse(readFileSync(join(ROOT, 'www', 'custom-elements.json'), 'utf8'));
const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'rnn-scope');

/** Methods of the element's class that are its lifecycle or its own machinery, not its API. */
const NOT_API = new Set([
  'constructor', 'connectedCallback', 'disconnectedCallback', 'attributeChangedCallback', 'renderShell', 'boot', 'teardown',
  'updateVisible', 'fire', 'readOptions', 'readSettings', 'setProblem', 'warnHidden', 'applyHeight', 'buildPanels',
  'panelLinks', 'markDirty', 'wireDrop', 'whenReady',
]);

before(async () => {
  await env.ready;
});

const sorted = (a) => [...a].sort();

test('custom-elements.json lists exactly the attributes, views, methods, events and parts of <rnn-scope>', async () => {
  const { page, problems } = await openPage(env.browser, env.server.origin);
  await page.goto(`${env.server.url}index.html`);
  await page.waitForFunction(() => customElements.get('rnn-scope'), null, { timeout: WAIT });
  const real = await page.evaluate(async () => {
    const cls = customElements.get('rnn-scope');
    const { EVENTS } = await import('./rnn-scope.js');
    const { VIEWS } = await import('./element/layout.js');
    const own = (n) => Object.getOwnPropertyDescriptor(cls.prototype, n);
    const methods = Object.getOwnPropertyNames(cls.prototype).filter((n) => typeof own(n).value === 'function');
    // The reflected attributes: accessors with a setter (the read-only `hooks` is for tests, not the API).
    const fields = Object.getOwnPropertyNames(cls.prototype).filter((n) => own(n).set);
    const statics = Object.getOwnPropertyNames(cls).filter((n) => !['length', 'name', 'prototype', 'observedAttributes'].includes(n) && typeof cls[n] !== 'function');
    // Every part any view can show: one element of each view, built, its shadow root searched.
    const parts = new Set(['body']);
    for (const view of Object.keys(VIEWS)) {
      const el = document.createElement('rnn-scope');
      el.setAttribute('view', view);
      el.setAttribute('loading', 'eager');
      el.setAttribute('autoplay', 'false');
      document.body.append(el);
      await el.whenReady();
      for (const p of el.shadowRoot.querySelectorAll('[part]')) for (const name of p.getAttribute('part').split(/\s+/)) parts.add(name);
      el.remove();
    }
    // Which attribute each property reflects: set on an element outside the page, the one attribute it writes.
    const reflects = Object.fromEntries(
      fields.map((f) => {
        const el = document.createElement('rnn-scope');
        el[f] = '1';
        return [f, el.getAttributeNames().join(' ')];
      }),
    );
    return { attributes: cls.observedAttributes, events: EVENTS, methods, fields, statics, reflects, views: Object.keys(VIEWS), parts: [...parts] };
  });
  assert.deepEqual(sorted(element.attributes.map((a) => a.name)), sorted(real.attributes), 'attributes');
  const viewType = element.attributes.find((a) => a.name === 'view').type.text;
  assert.deepEqual(sorted(viewType.split('|').map((s) => s.trim().replace(/'/g, ''))), sorted(real.views), 'views');
  assert.deepEqual(sorted(element.events.map((e) => e.name)), sorted(real.events.map((e) => `rnnscope-${e}`)), 'events');
  const documented = element.members.filter((m) => m.kind === 'method').map((m) => m.name);
  assert.deepEqual(sorted(documented), sorted(real.methods.filter((m) => !NOT_API.has(m))), 'methods');
  assert.deepEqual(sorted(element.cssParts.map((p) => p.name)), sorted(real.parts), 'parts');
  const fields = element.members.filter((m) => m.kind === 'field');
  assert.deepEqual(sorted(fields.filter((m) => !m.static).map((m) => m.name)), sorted(real.fields), 'properties');
  assert.deepEqual(Object.fromEntries(fields.filter((m) => !m.static).map((m) => [m.name, m.attribute])), real.reflects, 'the attribute each property reflects');
  assert.deepEqual(sorted(fields.filter((m) => m.static).map((m) => m.name)), sorted(real.statics), 'static properties');
  assert.deepEqual(problems, []);
});
