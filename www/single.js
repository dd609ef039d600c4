// The entry of the single-file build (scripts/build-single.mjs bundles it, with the workers, the core and the styles,
// into dist/rnnscope.js): the element, defined on import, and the anywidget entry as the default export, so the one
// file is what anywidget, MyST and notebook front ends load. In the folder it works the same, file by file.

export { RnnScopeElement, EVENTS } from './rnn-scope.js';
export { default } from './widget.js';
