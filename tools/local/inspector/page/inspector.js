// The inspector page: plain JavaScript, no build step, nothing loaded from outside this server (see CONTRIBUTING.md).
'use strict';

const token = document.querySelector('meta[name="inspector-token"]').content;
const tbody = document.querySelector('#events tbody');
const details = document.getElementById('details');
const statusLine = document.getElementById('status');
const filters = document.getElementById('filters');
const FALLBACK_POLL_MS = 10_000;
let selected = null;
let lastList = '';

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== undefined && child !== null) node.append(child);
  }
  return node;
}

function pill(value) {
  return el('span', { class: `pill ${value}` }, value);
}

function time(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

async function act(action, input) {
  const response = await fetch(`/api/actions/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Inspector-Token': token },
    body: JSON.stringify(input),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

function say(text) {
  statusLine.textContent = text;
}

function query(row) {
  if (row.eventId && row.messageId) {
    return `eventId=${encodeURIComponent(row.eventId)}&messageId=${encodeURIComponent(row.messageId)}`;
  }
  return `requestId=${encodeURIComponent(row.requestId)}`;
}

function renderRows(rows) {
  tbody.replaceChildren(
    ...rows.map((row) => {
      const outcome = el('td', {}, pill(row.outcome));
      if (row.reason) outcome.append(el('span', { class: 'reason' }, `${row.reason} · attempt ${row.attempts}`));
      const door = el('td', { title: row.doorMessage }, pill(row.door === 'accepted' ? 'accepted' : row.door));
      const tr = el(
        'tr',
        { tabindex: '0', 'data-key': row.key, 'aria-selected': String(selected === row.key) },
        el('td', { title: row.receivedAt }, time(row.receivedAt)),
        el('td', {}, row.name || '–', row.claimed && row.name ? el('span', { class: 'reason' }, '(claimed)') : null),
        el('td', {}, row.entityRef || '–'),
        el('td', {}, row.route || '–'),
        door,
        outcome,
        el('td', {}, row.provenance || '–'),
      );
      tr.addEventListener('click', () => open(row));
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open(row);
        } else if (event.key === 'ArrowDown' || event.key === 'j') {
          event.preventDefault();
          tr.nextElementSibling?.focus();
        } else if (event.key === 'ArrowUp' || event.key === 'k') {
          event.preventDefault();
          tr.previousElementSibling?.focus();
        }
      });
      return tr;
    }),
  );
  document.getElementById('empty').hidden = rows.length > 0;
}

async function refresh() {
  const params = new URLSearchParams(new FormData(filters));
  try {
    const list = await getJson(`/api/events?${params}`);
    const text = JSON.stringify(list.rows);
    if (text !== lastList) {
      const focused = document.activeElement?.dataset?.key;
      renderRows(list.rows);
      lastList = text;
      if (focused) tbody.querySelector(`tr[data-key="${CSS.escape(focused)}"]`)?.focus();
    }
    const sample = document.getElementById('sample');
    if (sample.options.length === 0) sample.append(...list.samples.map((name) => el('option', {}, name)));
    say(`${list.rows.length} shown · live`);
  } catch (error) {
    say(`Cannot reach the runner: ${error.message}`);
  }
}

function field(list, label, value) {
  if (value === undefined || value === null || value === '') return;
  list.append(el('dt', {}, label), el('dd', {}, String(value)));
}

async function open(row) {
  selected = row.key;
  for (const tr of tbody.children) tr.setAttribute('aria-selected', String(tr.dataset.key === row.key));
  let info;
  try {
    info = await getJson(`/api/event?${query(row)}`);
  } catch (error) {
    say(error.message);
    return;
  }
  const summary = el('dl');
  const record = info.record || {};
  field(summary, 'Event', record.eventId);
  field(summary, 'Name', row.name);
  field(summary, 'entityRef', row.entityRef);
  field(summary, 'Route', row.route);
  field(summary, 'Door', row.door + (row.doorMessage ? ` – ${row.doorMessage}` : ''));
  field(summary, 'Outcome', record.shownOutcome || row.outcome);
  field(summary, 'Reason', record.reason);
  field(summary, 'Attempts', record.attempts);
  field(summary, 'Handler time', record.durationMs === undefined ? undefined : `${record.durationMs} ms`);
  field(summary, 'Provenance', record.provenance);
  field(summary, 'Request id', row.requestId);
  field(summary, 'Message id', record.messageId);
  const parts = [el('h2', {}, 'Details'), summary];
  if (info.verification) {
    const signature = el('dl');
    if (info.verification.ok) {
      field(signature, 'Verified by', `${info.verification.header} (${info.verification.algorithm})`);
      field(signature, 'Key fingerprint', info.verification.keyFingerprint);
      field(signature, 'Key', info.verification.keyLabel);
    } else {
      field(signature, 'Does not verify now', info.verification.reason);
    }
    field(signature, 'Headers sent', info.signatureHeaders.join(', '));
    parts.push(el('h2', {}, 'Signature'), signature);
  }
  if (record.eventId) {
    const replay = el('button', { type: 'button', id: 'replay' }, 'Replay (run the handler again)');
    const resend = el('button', { type: 'button', class: 'secondary', id: 'replay-plain' }, 'Replay (de-duplicated)');
    replay.addEventListener('click', () => runReplay(record.eventId, true));
    resend.addEventListener('click', () => runReplay(record.eventId, false));
    parts.push(el('p', {}, replay, ' ', resend));
  }
  if (info.fluentCalls) parts.push(el('h2', {}, 'Calls to Fluent (this run)'), fluentCallsTable(info.fluentCalls));
  if (info.prettyBody !== undefined) {
    parts.push(
      el(
        'h2',
        {},
        'Body ',
        el('a', { href: `/api/event/body?${query(row)}`, download: '' }, `exact bytes (${info.bodyBytes} B)`),
      ),
      el('pre', { id: 'body' }, info.prettyBody),
    );
  }
  if (info.deliveries && info.deliveries.length > 1) {
    parts.push(
      el('h2', {}, 'Deliveries of this event'),
      el(
        'ul',
        {},
        ...info.deliveries.map((delivery) =>
          el('li', {}, `${time(delivery.decidedAt)} `, pill(delivery.shownOutcome), ` ${delivery.provenance}`),
        ),
      ),
    );
  }
  const lines = info.logLines || [];
  parts.push(
    el('h2', {}, 'Log lines (this run)'),
    lines.length === 0
      ? el('p', { class: 'muted' }, 'None kept for this event in this run.')
      : el('pre', { id: 'logs' }, lines.map((line) => JSON.stringify(line)).join('\n')),
  );
  details.replaceChildren(...parts);
  details.hidden = false;
}

/** What the handler asked of Fluent: one row per call, its attempts' statuses, retries and time, no token. */
function fluentCallsTable(calls) {
  if (calls.length === 0) return el('p', { class: 'muted' }, 'The handler made no call to Fluent for this delivery.');
  const cell = (text) => el('td', {}, String(text));
  return el(
    'table',
    { id: 'fluent-calls' },
    el(
      'thead',
      {},
      el('tr', {}, ...['Operation', 'Status', 'Attempts', 'Retries', 'Duration'].map((name) => el('th', {}, name))),
    ),
    el(
      'tbody',
      {},
      ...calls.map((call) =>
        el(
          'tr',
          { title: `started ${time(call.startedAt)} · correlation id ${call.correlationId}` },
          cell(call.operation),
          el('td', {}, pill(call.next === 'done' ? call.status : `${call.status} ${call.next}`)),
          cell(call.statuses.join(' → ')),
          cell(call.retries),
          cell(`${call.durationMs} ms`),
        ),
      ),
    ),
  );
}

async function runReplay(eventId, reprocess) {
  try {
    const result = await act('replay', { eventId, reprocess });
    say(`Replayed ${result.replayed.length} event${reprocess ? ' (handler runs again)' : ''}`);
  } catch (error) {
    say(`Replay refused: ${error.message}`);
  }
}

document.getElementById('send').addEventListener('click', async () => {
  try {
    const result = await act('send', { sample: document.getElementById('sample').value });
    say(`Sent ${result.eventId}: HTTP ${result.status}`);
  } catch (error) {
    say(`Send refused: ${error.message}`);
  }
});
document.getElementById('redrive').addEventListener('click', async () => {
  try {
    const result = await act('redrive', {});
    say(`Moved ${result.moved} message(s) from the DLQ back to the queue`);
  } catch (error) {
    say(`Redrive refused: ${error.message}`);
  }
});
filters.addEventListener('input', () => {
  lastList = '';
  refresh();
});
filters.addEventListener('submit', (event) => event.preventDefault());

// Live: the server says when something changed (server-sent events) and the page reads the list then; a slow poll
// as well, in case the stream is down (the browser reconnects it by itself).
refresh();
const changes = new EventSource('/api/stream');
changes.addEventListener('message', refresh);
changes.addEventListener('open', refresh);
setInterval(refresh, FALLBACK_POLL_MS);
