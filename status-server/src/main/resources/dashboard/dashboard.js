'use strict';
// KVStore status dashboard: live updates arrive as server-sent events from /api/events.
// Each update rebuilds the summary and the table's rows near the viewport, one innerHTML each.

const STATES = ['up', 'suspect', 'not-responding', 'dead', 'left'];
// Only the rows in and near the viewport are in the page, a few dozen whatever the cluster's size;
// spacers of the same height stand in for the others, so every row must be ROW_HEIGHT high.
const ROW_HEIGHT = 44;
const ROW_BUFFER = 20;
// Sorting by state puts the nodes that need attention at one end.
const SEVERITY = { up: 0, left: 1, suspect: 2, 'not-responding': 3, dead: 4 };

const model = {
  summary: null,
  nodes: [],
  sort: { key: 'name', desc: false },
  rows: [], // the table's nodes, filtered and sorted
  firstRow: 0, // the first of them in the page
  filter: '',
  firstRender: true,
};

// ---- formatting ---------------------------------------------------------------------------

function esc(s) {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// Number formats are costly to create: one per precision, made once.
const FORMATS = [0, 1, 2].map(digits => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));

function fixed(n, digits) {
  return FORMATS[digits].format(n);
}

function compact(n) {
  if (n == null) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return fixed(n / 1e9, 2) + ' G';
  if (a >= 1e6) return fixed(n / 1e6, 2) + ' M';
  if (a >= 1e4) return fixed(n / 1e3, 1) + ' k';
  return fixed(n, a < 10 ? 2 : 1);
}

function bytes(n) {
  if (n == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return fixed(n, i === 0 ? 0 : 1) + ' ' + units[i];
}

function duration(seconds) {
  if (seconds == null) return '–';
  const s = Math.floor(seconds);
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

function micros(us) {
  if (us == null) return '–';
  if (us >= 1e6) return fixed(us / 1e6, 2) + ' s';
  if (us >= 1e3) return fixed(us / 1e3, 2) + ' ms';
  return fixed(us, 0) + ' µs';
}

/** Formats a stat by its unit, so stats the dashboard has never heard of still read well. */
function formatStat(stat) {
  if (!stat || stat.value == null) return '–';
  if (stat.kind === 'text') return esc(stat.value);
  switch (stat.unit) {
    case 'bytes': return bytes(stat.value);
    case 's': return duration(stat.value);
    case 'us': return micros(stat.value);
    case '%': return fixed(stat.value, 1) + ' %';
    default: return compact(stat.value) + (stat.unit ? ' <span class="muted">' + esc(stat.unit) + '</span>' : '');
  }
}

/** "3 s ago", measured against the server's clock so that a skewed browser clock does not matter. */
function ago(iso) {
  if (!iso) return 'never';
  const now = model.summary ? Date.parse(model.summary.at) : Date.now();
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.floor(s / 60) + ' min ago';
  if (s < 86400) return Math.floor(s / 3600) + ' h ago';
  return Math.floor(s / 86400) + ' d ago';
}

function statValue(node, name) {
  const s = node.stats[name];
  return s && typeof s.value === 'number' ? s.value : null;
}

function pill(state) {
  return '<span class="pill s-' + state + '">' + state + '</span>';
}

// Warnings a node's reports raise (e.g. it rejects frames: a cluster secret mismatch?).
const WARNING_LABELS = { 'rejecting-frames': 'rejecting frames', 'insecure': 'insecure' };

function warningBadges(n, long) {
  return (n.warnings || []).map(w =>
    ' <span class="warn w-' + esc(w.code) + '" title="' + esc(w.text) + '">⚠ ' +
    esc(long ? w.text : (WARNING_LABELS[w.code] || w.code)) + '</span>').join('');
}

// ---- summary ------------------------------------------------------------------------------

function card(label, value, sub) {
  return '<div class="card"><div class="label">' + label + '</div><div class="value">' + value +
    '</div>' + (sub ? '<div class="sub">' + sub + '</div>' : '') + '</div>';
}

function renderSummary() {
  const s = model.summary;
  const counts = STATES.map(state => {
    const n = s.byState[state] || 0;
    return '<div class="state-count s-' + state + (n ? '' : ' zero') + '" data-state="' + state +
      '" title="Show only the ' + state + ' nodes">' +
      '<div class="label">' + state + '</div><div class="value"><span class="dot"></span>' + n + '</div></div>';
  }).join('');
  document.getElementById('summary').innerHTML =
    card('Nodes', fixed(s.nodes, 0)) +
    '<div class="card states">' + counts + '</div>' +
    card('Keys', compact(s.totalKeys)) +
    card('Ops/s', compact(s.totalOpsPerSecond)) +
    card('Last round', s.lastRound == null ? '–' : '#' + s.lastRound, s.lastRoundAt ? ago(s.lastRoundAt) : 'none yet');
  renderAlerts();
}

// A banner above the table: nodes that reject internal frames are easy to miss in a big table.
function renderAlerts() {
  const rejecting = (model.nodes || []).filter(n => (n.warnings || []).some(w => w.code === 'rejecting-frames'));
  const el = document.getElementById('alerts');
  if (!el) {
    return;
  }
  const unauthenticated = model.summary && model.summary.reportsAuthenticated === false
    ? '<div class="alert" id="alert-unauthenticated">⚠ This status server runs without the cluster secret' +
      ' (--insecure): anyone who can reach its UDP port can forge a member\'s figures.</div>'
    : '';
  el.innerHTML = unauthenticated + (rejecting.length
    ? '<div class="alert" id="alert-rejecting">⚠ ' + rejecting.length + (rejecting.length === 1 ? ' node rejects' : ' nodes reject') +
      ' internal frames it cannot authenticate: cluster secret mismatch? (' +
      rejecting.slice(0, 5).map(n => esc(n.id)).join(', ') + (rejecting.length > 5 ? ', …' : '') + ')</div>'
    : '');
}

// ---- node table ---------------------------------------------------------------------------

function statColumn(key, label, width, stat, render) {
  return { key, label, width, num: true, value: n => statValue(n, stat), render: n => render(statValue(n, stat)) };
}

const COLUMNS = [
  { key: 'name', width: '12%', label: 'Name', value: n => n.id,
    render: n => '<a href="#/node/' + encodeURIComponent(n.id) + '">' + esc(n.id) + '</a>' },
  { key: 'address', width: '10%', label: 'Address', value: n => n.address || '', render: n => esc(n.address || '–') },
  { key: 'state', width: '10%', label: 'State', value: n => SEVERITY[n.state],
    render: n => pill(n.state) + warningBadges(n, false) },
  { key: 'lastSeen', width: '7%', label: 'Last seen', value: n => (n.lastSeen ? Date.parse(n.lastSeen) : 0),
    render: n => ago(n.lastSeen) },
  { key: 'disk', width: '11%', label: 'Disk free / used', value: n => statValue(n, 'disk.free'), render: diskCell },
  statColumn('space', 'App space', '7%', 'storage.live.bytes', bytes),
  statColumn('uptime', 'Uptime', '6%', 'uptime', duration),
  statColumn('load', 'Load', '4%', 'load.1m', v => (v == null || v < 0 ? '–' : fixed(v, 2))),
  statColumn('keys', 'Keys', '6%', 'keys', compact),
  statColumn('ops', 'Ops/s', '6%', 'requests.rate', compact),
  statColumn('p99', 'p99', '5%', 'latency.p99', micros),
  statColumn('ranges', 'Ranges', '5%', 'ring.replica.share', v => (v == null ? '–' : fixed(v, 1) + ' %')),
  statColumn('hints', 'Hints', '5%', 'replication.hints.pending', compact),
  { key: 'rebalance', width: '6%', label: 'Rebalance', num: true,
    value: n => statValue(n, 'rebalance.batches.pending'), render: rebalanceCell },
];

// Receiving: this node still waits for members to stream ranges it gained (its reads of them do
// not count toward R). Streaming: batches of a pass queued or unacknowledged.
function rebalanceCell(n) {
  const complete = statValue(n, 'rebalance.complete');
  const pending = statValue(n, 'rebalance.batches.pending');
  if (complete == null) return '–';
  if (complete === 0) return '<span title="waiting for members to stream its new ranges">receiving (' +
    compact(statValue(n, 'rebalance.members.awaited')) + ')</span>';
  if (statValue(n, 'rebalance.pass.active') === 1) return 'streaming ' + compact(pending);
  return 'idle';
}

function diskCell(n) {
  const free = statValue(n, 'disk.free');
  const used = statValue(n, 'disk.used');
  if (free == null && used == null) return '–';
  const pct = free != null && used != null && free + used > 0 ? (100 * used) / (free + used) : 0;
  return '<span class="disk" title="' + fixed(pct, 0) + ' % used">' + bytes(free) + ' / ' + bytes(used) +
    '<span class="bar' + (pct > 85 ? ' high' : '') + '"><i style="width:' + pct.toFixed(1) + '%"></i></span></span>';
}

function renderHeader() {
  document.querySelector('#nodes thead tr').innerHTML = COLUMNS.map(c => {
    const sorted = model.sort.key === c.key;
    const cls = [c.num ? 'num' : '', sorted ? 'sorted' : '', sorted && model.sort.desc ? 'desc' : ''].join(' ').trim();
    return '<th data-key="' + c.key + '" class="' + cls + '" style="width:' + c.width + '">' + c.label + '</th>';
  }).join('');
}

function compareBy(column, desc) {
  return (a, b) => {
    const x = column.value(a);
    const y = column.value(b);
    // Missing values sort last whichever the direction.
    if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
    const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return (desc ? -order : order) || a.id.localeCompare(b.id);
  };
}

function visibleNodes() {
  const f = model.filter.toLowerCase();
  const shown = f
    ? model.nodes.filter(n => n.id.toLowerCase().includes(f) || (n.address || '').includes(f) || n.state.includes(f))
    : model.nodes.slice();
  const column = COLUMNS.find(c => c.key === model.sort.key);
  return shown.sort(compareBy(column, model.sort.desc));
}

function rowHtml(n) {
  return '<tr class="node" data-id="' + esc(n.id) + '" data-state="' + n.state + '">' +
    COLUMNS.map(c => '<td' + (c.num ? ' class="num"' : '') + '>' + c.render(n) + '</td>').join('') + '</tr>';
}

function spacer(rowCount) {
  return rowCount
    ? '<tr class="spacer" aria-hidden="true"><td colspan="' + COLUMNS.length + '" style="height:' +
      rowCount * ROW_HEIGHT + 'px"></td></tr>'
    : '';
}

/** The first row near the viewport, from where the table's body is on the screen. */
function firstRowInView() {
  const bodyTop = document.querySelector('#nodes tbody').getBoundingClientRect().top;
  return Math.max(0, Math.floor(-bodyTop / ROW_HEIGHT) - ROW_BUFFER);
}

function renderRows() {
  const rows = model.rows;
  const body = document.querySelector('#nodes tbody');
  if (!rows.length) {
    body.innerHTML = '<tr><td class="empty" colspan="' + COLUMNS.length + '">' +
      (model.nodes.length ? 'No node matches the filter.' : 'No node known yet.') + '</td></tr>';
    return;
  }
  const first = Math.min(firstRowInView(), Math.max(0, rows.length - 1));
  const last = Math.min(rows.length, first + Math.ceil(window.innerHeight / ROW_HEIGHT) + 2 * ROW_BUFFER);
  model.firstRow = first;
  body.innerHTML = spacer(first) + rows.slice(first, last).map(rowHtml).join('') + spacer(rows.length - last);
}

function renderTable() {
  model.rows = visibleNodes();
  renderRows();
  const total = fixed(model.nodes.length, 0);
  document.getElementById('shown').textContent = model.rows.length === model.nodes.length
    ? total + ' nodes'
    : fixed(model.rows.length, 0) + ' of ' + total + ' nodes';
}

/** Scrolling brings other rows near the viewport: rebuilds once it has moved half a buffer. */
function followScroll() {
  let pending = false;
  const update = () => {
    pending = false;
    if (currentNodeId() == null && Math.abs(firstRowInView() - model.firstRow) >= ROW_BUFFER / 2) renderRows();
  };
  const schedule = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(update);
    }
  };
  window.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
}

// ---- node page ----------------------------------------------------------------------------

function sparkline(name, values, unit) {
  const points = values.map((v, i) => [i, v]).filter(p => p[1] != null);
  const last = points.length ? points[points.length - 1][1] : null;
  let svg = '';
  if (points.length) {
    const ys = points.map(p => p[1]);
    const min = Math.min(...ys);
    const max = Math.max(...ys);
    const w = 100;
    const h = 40;
    const span = Math.max(values.length - 1, 1);
    const x = i => ((i / span) * w).toFixed(2);
    const y = v => (max === min ? h / 2 : h - 2 - ((v - min) / (max - min)) * (h - 4)).toFixed(2);
    const line = points.map(p => x(p[0]) + ',' + y(p[1])).join(' ');
    const area = 'M' + x(points[0][0]) + ',' + h + ' L' + line.replace(/ /g, ' L') + ' L' + x(points[points.length - 1][0]) + ',' + h + ' Z';
    svg = '<svg viewBox="0 0 ' + w + ' ' + h + '" preserveAspectRatio="none" role="img" aria-label="' + esc(name) + ' history">' +
      '<path d="' + area + '"></path><polyline points="' + line + '"></polyline></svg>' +
      '<div class="range"><span>min ' + formatStat({ value: min, unit }) + '</span><span>max ' + formatStat({ value: max, unit }) + '</span></div>';
  } else {
    svg = '<div class="range"><span>no data yet</span></div>';
  }
  return '<div class="spark" data-stat="' + esc(name) + '"><div class="label">' + esc(name) + '</div>' +
    '<div class="value">' + formatStat({ value: last, unit }) + '</div>' + svg + '</div>';
}

function renderNode(node) {
  const page = document.getElementById('node-page');
  if (!node) {
    page.innerHTML = '<a class="back" href="#/">← All nodes</a><p>No node with this id.</p>';
    return;
  }
  const labels = Object.entries(node.labels).map(([k, v]) => '<span class="chip">' + esc(k) + '=' + esc(v) + '</span>').join(' ');
  const sparks = Object.entries(node.history.series)
    .map(([name, values]) => sparkline(name, values, node.stats[name] ? node.stats[name].unit : ''))
    .join('');
  const stats = Object.keys(node.stats).sort().map(name => {
    const s = node.stats[name];
    return '<tr><td>' + esc(name) + '</td><td class="num">' + formatStat(s) + '</td><td class="muted">' + s.kind + '</td></tr>';
  }).join('');
  const changes = node.changes.slice().reverse().map(c =>
    '<tr><td>' + (c.from ? pill(c.from) + ' → ' : '') + pill(c.to) + '</td><td class="muted">' + ago(c.at) +
    '</td></tr>').join('');
  page.innerHTML =
    '<a class="back" href="#/">← All nodes</a>' +
    '<div class="node-head"><h2 id="node-id">' + esc(node.id) + '</h2>' + pill(node.state) + warningBadges(node, true) + ' ' + labels + '</div>' +
    '<div class="node-meta"><span>' + esc(node.address || 'address unknown') + '</span>' +
    '<span>' + node.state + ' since ' + ago(node.stateSince) + '</span>' +
    '<span>last report ' + ago(node.lastSeen) + (node.lastRound != null ? ' (round #' + node.lastRound + ')' : '') + '</span></div>' +
    '<div class="sparks">' + sparks + '</div>' +
    '<div class="columns"><div><h3>Stats</h3><div class="table-wrap"><table id="stats"><thead><tr><th>Name</th><th class="num">Value</th><th>Kind</th></tr></thead><tbody>' +
    (stats || '<tr><td class="empty" colspan="3">No report yet.</td></tr>') + '</tbody></table></div></div>' +
    '<div><h3>State changes</h3><div class="table-wrap"><table id="changes"><tbody>' + changes + '</tbody></table></div></div></div>';
}

function loadNode(id) {
  fetch('/api/nodes/' + encodeURIComponent(id))
    .then(r => (r.ok ? r.json() : null))
    .then(node => { if (currentNodeId() === id) renderNode(node); })
    .catch(() => {});
}

// ---- routing and live updates -------------------------------------------------------------

function currentNodeId() {
  const m = location.hash.match(/^#\/node\/(.+)$/);
  return m ? decodeURIComponent(m[1]) : null;
}

function route() {
  const id = currentNodeId();
  document.getElementById('cluster-page').hidden = id != null;
  document.getElementById('node-page').hidden = id == null;
  if (id != null) loadNode(id);
}

function onUpdate(event) {
  const data = JSON.parse(event.data);
  model.summary = data.summary;
  model.nodes = data.nodes;
  renderSummary();
  const id = currentNodeId();
  if (id != null) {
    loadNode(id);
  } else {
    renderTable();
  }
  if (model.firstRender) {
    model.firstRender = false;
    // After the next paint: the time an operator waits to see the table.
    requestAnimationFrame(() => setTimeout(() => performance.mark('kvstore-first-render')));
  }
}

function connect() {
  const status = document.getElementById('connection');
  const events = new EventSource('/api/events');
  events.addEventListener('update', onUpdate);
  events.onopen = () => { status.textContent = 'live'; status.className = 'connection live'; };
  // EventSource reconnects by itself; say so meanwhile.
  events.onerror = () => { status.textContent = 'reconnecting…'; status.className = 'connection down'; };
}

document.querySelector('#nodes thead').addEventListener('click', e => {
  const th = e.target.closest('th');
  if (!th) return;
  const key = th.dataset.key;
  model.sort = { key, desc: model.sort.key === key ? !model.sort.desc : false };
  renderHeader();
  renderTable();
});

document.querySelector('#nodes tbody').addEventListener('click', e => {
  const row = e.target.closest('tr.node');
  if (row && !e.target.closest('a')) location.hash = '#/node/' + encodeURIComponent(row.dataset.id);
});

function setFilter(text) {
  model.filter = text.trim();
  renderTable();
}

document.getElementById('filter').addEventListener('input', e => setFilter(e.target.value));

document.getElementById('summary').addEventListener('click', e => {
  const count = e.target.closest('.state-count');
  if (!count) return;
  document.getElementById('filter').value = count.dataset.state;
  setFilter(count.dataset.state);
  if (currentNodeId() != null) location.hash = '#/';
});

window.addEventListener('hashchange', () => {
  route();
  if (currentNodeId() == null) renderTable();
});

renderHeader();
route();
followScroll();
connect();
