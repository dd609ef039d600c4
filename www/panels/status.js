// The status line (training state, step, loss, speed), the messages, and the restore banner.

import { Panel, renderMessages, wireRunButtons, renderRunButtons } from './panel.js';
import { converter, UNIT_LABEL } from '../scope/history.js';
import { fmt, compactInt } from '../views/format.js';
import { Parts } from '../scope/parts.js';

export class StatusPanel extends Panel {
  static html = `
    <div class="status-bar" part="status">
      <div class="status" role="status" aria-live="polite" aria-atomic="true">
        <span class="pill" id="run-state" data-testid="run-state">loading…</span>
        <span>step <output id="stat-step" data-testid="step">0</output></span>
        <span>loss <output id="stat-loss" data-testid="loss">–</output> <span class="unit-name" id="stat-unit">nats/char</span></span>
        <span class="hide-narrow"><output id="stat-speed" data-testid="speed">–</output> chars/s</span>
        <span class="hide-narrow" id="stat-workers-box" hidden><span id="stat-where">on</span> <output id="stat-workers" data-testid="workers">1 worker</output></span>
      </div>
      <div class="row buttons toolbar" role="group" aria-label="Training" id="toolbar">
        <button type="button" id="tb-run" class="primary" data-testid="run">Train</button>
        <button type="button" id="tb-step" data-testid="step-once">Step</button>
        <button type="button" id="tb-reset" data-testid="reset">Reset</button>
      </div>
    </div>`;

  static parts = [[Parts.STATUS, 'render']];

  wire() {
    // Controls the view does not show are not there at all (the full view has its own in the training panel).
    const controls = this.options.controls;
    for (const [id, control] of [['tb-run', 'play'], ['tb-step', 'step'], ['tb-reset', 'reset']]) if (!controls.has(control)) this.$(id).remove();
    const tb = this.$('toolbar');
    if (!tb.children.length) tb.remove();
    this.el.querySelector('.status').hidden = !controls.has('status');
    this.el.hidden = !tb.isConnected && !controls.has('status');
    wireRunButtons(this.scope, this.$('tb-run'), this.$('tb-step'), this.$('tb-reset'));
  }

  render() {
    const s = this.scope;
    const conv = converter(s.st.units);
    const pill = this.$('run-state');
    let state;
    if (s.error === 'fatal') state = 'stopped';
    else if (!s.model) state = s.client.ready ? 'building' : 'loading';
    else if (s.running) state = 'training';
    else if (s.waitingForSlot) state = 'waiting';
    else state = s.step === 0 ? 'ready' : 'paused';
    pill.textContent = state === 'waiting' ? 'waiting for a core' : state;
    pill.dataset.state = state;
    this.$('stat-step').textContent = String(s.step);
    this.$('stat-unit').textContent = UNIT_LABEL[s.st.units];
    this.$('stat-loss').textContent = s.last ? fmt(conv(s.last.loss), 3) : '–';
    this.$('stat-speed').textContent = s.running && s.charsPerSec ? compactInt(s.charsPerSec) : '–';
    // Where the steps run: on one or two workers (the visitor sees when two share the steps, or stop), or in the
    // page itself where no worker can start.
    const inPage = s.engineMode === 'main-thread';
    this.$('stat-workers-box').hidden = !s.running || (s.engineMode !== 'worker' && !inPage);
    this.$('stat-where').textContent = inPage ? 'in' : 'on';
    this.$('stat-workers').textContent = inPage ? 'this page' : s.workers > 1 ? `${s.workers} workers` : '1 worker';
    renderRunButtons(s, this.$('tb-run'), this.$('tb-step'), this.$('tb-reset'));
  }
}

export class MessagesPanel extends Panel {
  static html = `<div id="messages" class="messages" role="alert" aria-live="assertive" data-testid="messages" part="messages"></div>`;

  static parts = [[Parts.MESSAGES, 'render']];

  render() {
    renderMessages(this.scope, this.el);
  }
}

export class RestorePanel extends Panel {
  static html = `
    <div id="restore" class="banner" hidden data-testid="restore">
      <p id="restore-text"></p>
      <div class="row">
        <button type="button" id="restore-yes">Restore it</button>
        <button type="button" id="restore-no" class="quiet">Discard</button>
      </div>
    </div>`;

  static parts = [[Parts.RESTORE, 'render']];

  wire() {
    this.$('restore-yes').addEventListener('click', () => this.scope.keeper?.restore());
    this.$('restore-no').addEventListener('click', () => this.scope.keeper?.discard());
  }

  render() {
    const offered = this.scope.keeper?.offered;
    this.el.hidden = !offered;
    this.$('restore-text').textContent = offered ? this.scope.keeper.offerText : '';
  }
}
