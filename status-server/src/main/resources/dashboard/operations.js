'use strict';
// The Operations table: operations and their per-node results from /api/ops (polled: results
// change at the pace of status rounds, and live events stay small). A click on a node's row shows
// that node's output tail, from /api/ops/{id}.

const OPS_POLL_MILLIS = 2000;
const OP_STATE_CLASS = {
  DONE: 'up', RUNNING: 'suspect', QUEUED: 'left', WAITING: 'left', TIMED_OUT: 'dead', REFUSED: 'dead',
  FAILED_TO_START: 'dead',
};
const opsModel = { selected: null }; // { id, node }


function opDuration(ms, state) {
  if (state === 'WAITING' || state === 'QUEUED' || state === 'RUNNING') return '–';
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

function opSummary(op) {
  return Object.entries(op.counts).map(([state, n]) => n + ' ' + state.toLowerCase().replace(/_/g, ' ')).join(', ');
}

function renderOperations(ops) {
  const body = document.querySelector('#operations tbody');
  document.getElementById('ops-shown').textContent = ops.length ? ops.length + ' operation' + (ops.length > 1 ? 's' : '') : '';
  if (!ops.length) {
    body.innerHTML = '<tr><td class="empty" colspan="7">No operation reported yet.</td></tr>';
    return;
  }
  // Newest first; each operation spans its nodes' rows.
  body.innerHTML = ops.slice().reverse().map(op => op.nodes.map((n, i) => {
    const head = i === 0
      ? '<td rowspan="' + op.nodes.length + '" class="op-id" title="' + esc(opSummary(op)) + '"><code>' + esc(op.id) +
        '</code><div class="muted">' + esc(opSummary(op)) + '</div></td>' +
        '<td rowspan="' + op.nodes.length + '">' + esc(op.kind) + '</td>' +
        '<td rowspan="' + op.nodes.length + '">' + esc(op.targets) + '</td>'
      : '';
    const selected = opsModel.selected && opsModel.selected.id === op.id && opsModel.selected.node === n.node;
    return '<tr class="op-node' + (selected ? ' selected' : '') + '" data-op="' + esc(op.id) + '" data-node="' +
      esc(n.node) + '" data-state="' + esc(n.state) + '">' + head +
      '<td>' + esc(n.node) + '</td>' +
      '<td><span class="pill s-' + (OP_STATE_CLASS[n.state] || 'left') + '">' + esc(n.state.toLowerCase().replace(/_/g, ' ')) + '</span></td>' +
      '<td class="num">' + (n.exit == null ? '–' : n.exit) + '</td>' +
      '<td class="num">' + opDuration(n.durationMillis, n.state) + '</td></tr>';
  }).join('')).join('');
}

function showTail(id, node) {
  fetch('/api/ops/' + encodeURIComponent(id))
    .then(r => (r.ok ? r.json() : null))
    .then(op => {
      const el = document.getElementById('op-tail');
      const result = op && op.nodes.find(n => n.node === node);
      if (!result) { el.hidden = true; return; }
      el.hidden = false;
      el.innerHTML = '<div class="op-tail-head">Output of <code>' + esc(op.id) + '</code> on <b>' + esc(node) + '</b>' +
        (result.truncatedBytes ? ' <span class="muted">(' + result.truncatedBytes + ' earlier bytes not kept)</span>' : '') +
        '</div><pre id="op-tail-text">' + esc(result.tail || (result.state === 'WAITING' ? 'not reported yet' : '(no output)')) + '</pre>';
    })
    .catch(() => {});
}

function pollOperations() {
  fetch('/api/ops')
    .then(r => (r.ok ? r.json() : []))
    .then(renderOperations)
    .catch(() => {})
    .finally(() => setTimeout(pollOperations, OPS_POLL_MILLIS));
}

document.querySelector('#operations tbody').addEventListener('click', e => {
  const row = e.target.closest('tr.op-node');
  if (!row) return;
  opsModel.selected = { id: row.dataset.op, node: row.dataset.node };
  document.querySelectorAll('#operations tr.selected').forEach(r => r.classList.remove('selected'));
  row.classList.add('selected');
  showTail(row.dataset.op, row.dataset.node);
});

pollOperations();
