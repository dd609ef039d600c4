#!/usr/bin/env node
// Writes the npm package's TypeScript declarations (rnnscope.d.ts) from custom-elements.json, the element's one
// description of its attributes' properties, methods and events (tests/browser/manifest.test.mjs checks that file
// against the element itself), so the types cannot say something else.
//
//   node scripts/npm-types.mjs www/custom-elements.json OUT.d.ts

import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node scripts/npm-types.mjs custom-elements.json OUT.d.ts\n');
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(input, 'utf8'));
const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.customElement);

const doc = (text, indent) => (text ? `${indent}/** ${text.replace(/\*\//g, '* /')} */\n` : '');
const members = [];
const seen = new Set();
for (const m of element.members) {
  const key = `${m.static ? 'static ' : ''}${m.name}`;
  if (seen.has(key)) continue;
  seen.add(key);
  if (m.kind === 'field') {
    members.push(`${doc(m.description, '  ')}  ${m.static ? 'static ' : ''}${m.name}: ${m.type.text};`);
  } else if (m.kind === 'method') {
    const params = m.parameters.map((p) => `${p.name}${p.optional ? '?' : ''}: ${p.type.text}`).join(', ');
    members.push(`${doc(m.description, '  ')}  ${m.name}(${params}): ${m.return.type.text};`);
  }
}
const events = element.events.map((e) => `${doc(e.description, '  ')}  '${e.name}': ${e.type.text.replace(/<\{[^}]*\}>/, '<any>')};`);

const out = `// Generated from custom-elements.json by scripts/npm-types.mjs: do not edit.

${doc(element.description, '')}export declare class ${element.name} extends HTMLElement {
${members.join('\n')}
}

/** The events the element fires, each as \`rnnscope-<name>\` (CustomEvent, bubbling, composed). */
export declare const EVENTS: readonly ['ready', 'progress', 'sample', 'error'];

/** The anywidget entry: \`render({ model, el })\`, the model holding the element's attributes. */
declare const widget: { render(context: { model: unknown; el: HTMLElement }): (() => void) | void };
export default widget;

export interface RnnScopeEventMap {
${events.join('\n')}
}

declare global {
  interface HTMLElementTagNameMap {
    '${element.tagName}': ${element.name};
  }
  interface HTMLElementEventMap extends RnnScopeEventMap {}
}
`;
writeFileSync(output, out);
