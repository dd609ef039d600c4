// The full page: one <rnn-scope view="full"> (see index.html). Its read-only test hooks are window.rnnscope, as
// the browser tests and the curious expect.

const el = document.querySelector('rnn-scope');
window.rnnscope = el.hooks;
