// The simulator console: messages and calls live from /ws/events, the network's controls through the control API.
import { api, el, liveSocket, showLive, timeOf } from './live.js';

const maxMessages = Number(document.querySelector('meta[name="max-messages"]')?.content) || 0;
/** What the page lists: the newest messages, at most the store's own limit. */
const LIST_LIMIT = Math.min(maxMessages || 1000, 1000);
const CALL_LIMIT = 500;
const ENCODINGS = { 0: 'GSM 03.38', 1: 'IA5 (ASCII)', 2: 'binary', 3: 'Latin-1', 4: 'binary', 8: 'UCS-2' };
const PART_STATES = { 1: 'en route', 2: 'delivered', 3: 'expired', 4: 'deleted', 5: 'undeliverable', 6: 'accepted', 7: 'unknown', 8: 'rejected' };
const TONE = { delivered: 'ok', sent: 'ok', completed: 'ok', 'in-progress': 'info', ringing: 'info', queued: 'warn', scheduled: 'info', cancelled: 'warn', replaced: 'warn', expired: 'warn', 'no-answer': 'warn', canceled: 'warn', busy: 'warn', undeliverable: 'bad', absent: 'bad', failed: 'bad' };
const FINAL_CALL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

const $ = (selector) => document.querySelector(selector);
const messages = new Map();
const calls = new Map();
const handsets = new Map();
let loaded = false;
let waiting = [];

// ---- messages -------------------------------------------------------------

const filters = $('#message-filters');
const digitsOf = (text) => text.replace(/\D/g, '');

function matches(m) {
  const q = filters.q.value.trim().toLowerCase();
  if (filters.direction.value && m.direction !== filters.direction.value) return false;
  if (filters.state.value && m.status !== filters.state.value) return false;
  if (!q) return true;
  // Any spelling of a number: +49 151…, 0049151…, 0151 1… (a leading trunk or international 0 dropped).
  const digits = digitsOf(q).replace(/^0+/, '');
  if (digits.length >= 3 && (digitsOf(m.from).includes(digits) || digitsOf(m.to).includes(digits))) return true;
  return `${m.from} ${m.to} ${m.text}`.toLowerCase().includes(q);
}

function badge(text, tone = TONE[text]) {
  return el('span', { class: `badge ${tone ?? ''}`, text });
}

function facts(pairs) {
  return el('dl', {}, pairs.filter(([, value]) => value !== undefined && value !== null && value !== '').map(([name, value]) => el('div', {}, el('dt', { text: name }), el('dd', {}, value))));
}

function partsList(segments) {
  if (!segments) return [el('p', { class: 'empty', text: 'Loading…' })];
  if (segments.length === 0) return [el('p', { class: 'empty', text: 'No SMPP parts (MO, or sent through the REST API).' })];
  return [el('ol', {}, segments.map((s) => el('li', {
    text: `${s.total ? `part ${s.seq}/${s.total}` : 'single part'} · id ${s.messageId} · ${PART_STATES[s.state] ?? s.state}${s.errorCode ? ` (err ${s.errorCode})` : ''} · receipt ${s.receipt === 'none' ? 'not asked' : s.receipt}`,
  })))];
}

function messageNode(m, open) {
  const mt = m.direction === 'mt';
  const details = el('details', { open }, el('summary', { text: 'Parts and receipts' }), ...partsList(m.segments));
  details.addEventListener('toggle', async () => {
    if (!details.open || m.segments) return;
    try {
      const full = await api(`/api/messages/${encodeURIComponent(m.id)}`);
      upsertMessage(full, true);
    } catch (error) {
      details.append(el('p', { class: 'empty', text: String(error.message) }));
    }
  });
  return el('li', { 'data-id': m.id },
    el('article', { class: 'item', 'aria-label': `SMS from ${m.from} to ${m.to}` },
      el('header', {},
        badge(mt ? 'MT' : 'MO', 'info'),
        el('span', { class: 'who', text: `${m.from} → ${m.to}` }),
        badge(m.status),
        timeOf(m.createdAt)),
      el('p', { class: 'text', text: m.text }),
      facts([
        ['Encoding', ENCODINGS[m.dataCoding] ?? `data_coding ${m.dataCoding}`],
        ['Parts', String(m.parts)],
        ['ESME', m.systemId ?? ''],
        [mt ? 'On the handset' : 'Sent', mt ? (m.receivedByHandsetAt ? timeOf(m.receivedByHandsetAt) : 'not yet') : ''],
      ]),
      details));
}

function upsertMessage(m, open = false) {
  const known = messages.get(m.id);
  const node = messageNode(m, open || (known?.node.querySelector('details')?.open ?? false));
  node.hidden = !matches(m);
  if (known) known.node.replaceWith(node);
  else $('#message-list').prepend(node); // Known ones come oldest first, then the stream: prepending keeps newest first.
  messages.set(m.id, { data: m, node });
  pruneMessages();
  countMessages();
}

/** `message.changed` (what changes without a rewrite) merged into a message the page lists; others are not its concern. */
function changeMessage(change) {
  const known = messages.get(change.id)?.data;
  if (!known) return;
  const changed = new Map(change.segments.map((s) => [s.messageId, s]));
  upsertMessage({ ...known, ...change, segments: known.segments?.map((s) => ({ ...s, ...changed.get(s.messageId) })) });
}

function pruneMessages() {
  const list = $('#message-list');
  while (messages.size > LIST_LIMIT) {
    const last = list.lastElementChild;
    if (!last) break;
    messages.delete(last.dataset.id);
    last.remove();
  }
}

function countMessages() {
  const shown = [...messages.values()].filter(({ node }) => !node.hidden).length;
  $('#message-count').textContent = messages.size === 0 ? 'No messages yet.' : `${shown} of ${messages.size} message${messages.size === 1 ? '' : 's'} shown, newest first.`;
}

function applyFilters() {
  for (const { data, node } of messages.values()) node.hidden = !matches(data);
  countMessages();
}
filters.addEventListener('input', applyFilters);
filters.addEventListener('submit', (event) => event.preventDefault());

$('#clear-all').addEventListener('click', async () => {
  try {
    await api('/api/messages', { method: 'DELETE' });
    await api('/api/calls', { method: 'DELETE' });
    clearMessages();
    clearEndedCalls();
    say('Cleared every message and every ended call.');
  } catch (error) {
    say(error.message, true);
  }
});

function clearMessages() {
  messages.clear();
  $('#message-list').replaceChildren();
  countMessages();
}

// ---- calls ----------------------------------------------------------------

function transcriptLine(t) {
  switch (t.kind) {
    case 'say': return el('li', {}, 'Said: ', el('span', { class: 'said', text: t.text }), t.language ? ` (${t.voice}, ${t.language})` : '');
    case 'play': return el('li', { text: t.url ? `Played: ${t.url}` : `Played tones: ${t.digits}` });
    case 'pause': return el('li', { text: `Paused ${t.seconds} s` });
    case 'gather': return el('li', { text: `Gathered "${t.speech ?? t.digits}" (${t.outcome})` });
    case 'dtmf': return el('li', { text: `Pressed ${t.digits}${t.heard ? '' : ' (nobody listening)'}` });
    case 'speech': return el('li', { text: `Spoke "${t.text}"${t.heard ? '' : ' (nobody listening)'}` });
    case 'record': return el('li', { text: `Recorded ${t.seconds} s (${t.outcome})` });
    case 'send-digits': return el('li', { text: `Network sent digits ${t.digits}` });
    case 'conference': return el('li', { text: `Conference ${t.name}: ${t.outcome}` });
    case 'dial': return el('li', { text: `Dialled ${t.number}: ${t.status}` });
    case 'sms': return el('li', { text: `SMS to ${t.to}: "${t.text}" (${t.status})` });
    default: return el('li', { text: JSON.stringify(t) });
  }
}

function callNode(c, open) {
  return el('li', { 'data-id': c.sid },
    el('article', { class: 'item', 'aria-label': `Call from ${c.from} to ${c.to}` },
      el('header', {},
        badge(c.direction === 'outbound-dial' ? 'Dial leg' : 'Call', 'info'),
        el('span', { class: 'who', text: `${c.from} → ${c.to}` }),
        badge(c.status),
        timeOf(c.createdAt)),
      c.transcript.length
        ? el('ul', { class: 'spoken', 'aria-label': 'What was said and pressed' }, c.transcript.map(transcriptLine))
        : el('p', { class: 'empty', text: c.status === 'ringing' ? 'Ringing…' : 'Nothing said or pressed.' }),
      facts([
        ['Call', c.sid],
        ['Duration', FINAL_CALL.has(c.status) ? `${c.duration} s` : ''],
        ['Error', c.errorCode ? `${c.errorCode} ${c.errorMessage ?? ''}` : ''],
        ['RCML', c.url ?? ''],
      ]),
      el('details', { open }, el('summary', { text: `Timeline (${c.timeline.length} steps)` }),
        el('ol', {}, c.timeline.map((t) => el('li', {}, timeOf(t.at), ` ${t.event}`, t.detail ? ` — ${t.detail}` : ''))))));
}

function upsertCall(c) {
  const known = calls.get(c.sid);
  const node = callNode(c, known?.node.querySelector('details')?.open ?? false);
  if (known) known.node.replaceWith(node);
  else $('#call-list').prepend(node);
  calls.set(c.sid, { data: c, node });
  while (calls.size > CALL_LIMIT) {
    const last = $('#call-list').lastElementChild;
    calls.delete(last.dataset.id);
    last.remove();
  }
  countCalls();
}

function clearEndedCalls() {
  for (const [sid, { data, node }] of calls) if (FINAL_CALL.has(data.status)) { node.remove(); calls.delete(sid); }
  countCalls();
}

function countCalls() {
  $('#call-count').textContent = calls.size === 0 ? 'No calls yet.' : `${calls.size} call${calls.size === 1 ? '' : 's'}, newest first.`;
}

// ---- controls -------------------------------------------------------------

function say(text, error = false) {
  const line = $('#control-status');
  line.textContent = text;
  line.classList.toggle('error', error);
}

async function act(work, done) {
  try {
    await work();
    say(done);
  } catch (error) {
    say(error.message, true);
  }
}

async function loadScenarios() {
  const { scenarios } = await api('/api/scenarios');
  $('#scenarios').replaceChildren(...Object.entries(scenarios).map(([name, description]) =>
    el('button', { type: 'button', 'aria-describedby': `scenario-${name}`, onclick: () => act(async () => {
      await api(`/api/scenarios/${encodeURIComponent(name)}`, { method: 'POST' });
      await loadBehaviours();
    }, `Scenario "${name}" applied.`) }, name, el('small', { id: `scenario-${name}`, text: description }))));
}

function fillSelect(select, names, help) {
  select.replaceChildren(...names.map((name) => el('option', { value: name, title: help[name], text: name })));
}

async function loadBehaviours() {
  const { settings, numbers, available } = await api('/api/behaviours');
  const form = $('#settings-form');
  form.receiptDelayMs.value = settings.receiptDelayMs;
  form.maxSubmitsPerSecond.value = settings.maxSubmitsPerSecond;
  const behaviour = $('#behaviour-form');
  if (behaviour.sms.options.length === 0) {
    fillSelect(behaviour.sms, Object.keys(available.sms), available.sms);
    fillSelect(behaviour.voice, Object.keys(available.voice), available.voice);
  }
  const rows = Object.entries(numbers).map(([number, b]) => el('tr', {},
    el('td', { class: 'who', text: number }),
    el('td', { text: b.sms }),
    el('td', { text: b.voice ?? 'ring' }),
    el('td', { text: b.receiptDelayMs === undefined ? 'global' : `${b.receiptDelayMs} ms` }),
    el('td', { text: b.answerAfterMs === undefined ? '' : `${b.answerAfterMs} ms` }),
    el('td', {}, el('button', { type: 'button', 'aria-label': `Remove the behaviour of ${number}`, text: 'Remove', onclick: () => act(async () => {
      await api(`/api/behaviours/${encodeURIComponent(number)}`, { method: 'DELETE' });
      await loadBehaviours();
    }, `${number} is back to the defaults.`) }))));
  $('#behaviour-rows').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'Every number follows the defaults.' }))]));
}

$('#settings-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  act(async () => {
    await api('/api/settings', { method: 'PUT', body: { receiptDelayMs: Number(form.receiptDelayMs.value), maxSubmitsPerSecond: Number(form.maxSubmitsPerSecond.value) } });
    await loadBehaviours();
  }, 'Settings saved: they apply to the next message.');
});

$('#behaviour-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const number = form.number.value.trim();
  const body = { sms: form.sms.value, voice: form.voice.value };
  if (form.receiptDelayMs.value !== '') body.receiptDelayMs = Number(form.receiptDelayMs.value);
  if (form.answerAfterMs.value !== '') body.answerAfterMs = Number(form.answerAfterMs.value);
  act(async () => {
    await api(`/api/behaviours/${encodeURIComponent(number)}`, { method: 'PUT', body });
    await loadBehaviours();
  }, `${number}: SMS ${body.sms}, voice ${body.voice}.`);
});

$('#reset-behaviours').addEventListener('click', () => act(async () => {
  await api('/api/behaviours', { method: 'DELETE' });
  await loadBehaviours();
}, 'Every number follows the defaults again.'));

async function loadBinds() {
  const { binds } = await api('/api/smpp/binds');
  const rows = binds.map((b) => el('tr', {},
    el('td', { text: b.systemId }),
    el('td', { text: b.mode }),
    el('td', { class: 'who', text: b.remote }),
    el('td', { text: b.windowInUse === undefined ? '—' : String(b.windowInUse) }),
    el('td', {}, timeOf(b.boundAt))));
  $('#bind-rows').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 5, class: 'empty', text: 'No ESME bound.' }))]));
}

function renderHandsets() {
  const items = [...handsets.entries()].filter(([, n]) => n > 0).map(([number, n]) =>
    el('li', {}, el('a', { href: `/phones/${encodeURIComponent(number)}`, text: number }), ` · ${n} connection${n === 1 ? '' : 's'}`));
  $('#handset-list').replaceChildren(...(items.length ? items : [el('li', { class: 'empty', text: 'No handset connected.' })]));
}

async function loadHandsets() {
  const { handsets: list } = await api('/api/handsets');
  handsets.clear();
  for (const h of list) handsets.set(h.number, h.connections);
  renderHandsets();
}

$('#open-phone').addEventListener('submit', (event) => {
  event.preventDefault();
  const number = event.currentTarget.number.value.trim();
  location.assign(`/phones/${encodeURIComponent(number.startsWith('+') ? number : `+${number}`)}`);
});

// ---- the stream -----------------------------------------------------------

function apply({ type, data }) {
  switch (type) {
    case 'message.created':
    case 'message.updated': return upsertMessage(data);
    case 'message.changed': return changeMessage(data);
    case 'messages.cleared': return clearMessages();
    case 'call.created':
    case 'call.updated': return upsertCall(data);
    case 'calls.cleared': return clearEndedCalls();
    case 'handset.connected':
    case 'handset.disconnected':
      handsets.set(data.number, data.connections);
      return renderHandsets();
    case 'bind.changed': return void loadBinds().catch(() => undefined);
    default: return undefined; // Newer event types: not for this page.
  }
}

/** Connect first, then read what came before, then play what arrived meanwhile: nothing is missed. */
async function loadAll() {
  loaded = false;
  waiting = [];
  const [{ messages: list }, { calls: callList }] = await Promise.all([
    api(`/api/messages?limit=${LIST_LIMIT}&order=newest`),
    api('/api/calls'),
  ]);
  clearMessages();
  for (const m of list.reverse()) upsertMessage(m);
  calls.clear();
  $('#call-list').replaceChildren();
  for (const c of callList.slice(0, CALL_LIMIT).reverse()) upsertCall(c);
  countCalls();
  await Promise.all([loadBinds(), loadHandsets()]);
  loaded = true;
  for (const frame of waiting.splice(0)) apply(frame);
}

// Changes only: a receipt is a few fields, not the whole message again.
liveSocket('/ws/events?batch=1&changes=1', {
  onMessage: (frame) => (loaded ? apply(frame) : waiting.push(frame)),
  onOpen: () => void loadAll().catch((error) => say(error.message, true)),
  onState: (state) => showLive($('#live'), state),
});
void loadScenarios().catch((error) => say(error.message, true));
void loadBehaviours().catch((error) => say(error.message, true));
setInterval(() => { if (!document.hidden) void loadBinds().catch(() => undefined); }, 3000);
countMessages();
countCalls();
