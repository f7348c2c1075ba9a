// A phone in the browser: the handset WebSocket protocol (docs/simulator.md), driven by buttons.
import { api, el, liveSocket, showLive, timeOf } from './live.js';

const number = document.querySelector('meta[name="phone-number"]').content;
const $ = (selector) => document.querySelector(selector);
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
const messageIds = new Set();
/** The call on screen: { sid, from, answered, ended }. */
let call;

const socket = liveSocket(`/ws/handsets/${encodeURIComponent(number)}`, {
  onMessage: onFrame,
  onOpen: () => void loadMessages().catch(() => undefined),
  onState: (state) => showLive($('#live'), state),
});

// ---- messages -------------------------------------------------------------

function showMessage(m) {
  if (messageIds.has(m.id)) return;
  messageIds.add(m.id);
  $('#message-list .empty')?.remove();
  const incoming = m.to === number;
  const item = el('li', {}, el('article', { class: 'item', 'aria-label': incoming ? `SMS from ${m.from}` : `SMS to ${m.to}` },
    el('header', {}, el('span', { class: `badge ${incoming ? 'info' : 'ok'}`, text: incoming ? 'Received' : 'Sent' }),
      el('span', { class: 'who', text: incoming ? m.from : `to ${m.to}` }), timeOf(m.at)),
    el('p', { class: 'text', text: m.text })));
  $('#message-list').prepend(item);
}

async function loadMessages() {
  const { messages } = await api(`/api/handsets/${encodeURIComponent(number)}/messages`);
  for (const m of messages) showMessage({ id: m.id, from: m.from, to: m.to, text: m.text, at: m.createdAt });
}

$('#compose-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const to = form.to.value.trim();
  const text = form.text.value;
  if (!socket.send({ type: 'sms.send', to, text })) return status('Not connected: try again in a moment.', true);
  lastSent = 'sms.send';
  pendingSends.push({ to, text });
  status(`Sending to ${to}…`);
});

const pendingSends = [];
/** Which kind of frame went last: an error frame answers it. */
let lastSent;

function status(text, error = false) {
  const line = $('#compose-status');
  line.textContent = text;
  line.classList.toggle('error', error);
}

// ---- calls ----------------------------------------------------------------

function show(id, visible) {
  $(id).hidden = !visible;
}

function render() {
  show('#call', Boolean(call));
  if (!call) return;
  $('#caller').textContent = call.from;
  const ringing = !call.answered && !call.ended;
  const up = call.answered && !call.ended;
  show('#answer', ringing);
  show('#decline', ringing);
  show('#hangup', up);
  show('#in-call', call.answered);
  for (const key of document.querySelectorAll('#keypad button')) key.disabled = !up;
  $('#call-state').textContent = call.ended
    ? (call.answered ? `Call ended (${call.status})` : `Missed call from ${call.from}`)
    : (call.answered ? `In call with ${call.from}` : `Incoming call from ${call.from}`);
}

function send(frame) {
  if (!call) return;
  socket.send({ ...frame, callSid: call.sid });
  lastSent = frame.type;
}

$('#answer').addEventListener('click', () => {
  send({ type: 'call.answer' });
  call.answered = true;
  render();
  $('#hangup').focus();
});
$('#decline').addEventListener('click', () => send({ type: 'call.reject', reason: 'rejected' }));
$('#hangup').addEventListener('click', () => send({ type: 'call.hangup' }));

$('#keypad').append(...KEYS.map((key) => el('button', { type: 'button', 'aria-label': key, text: key, onclick: () => press(key) })));

function press(key) {
  if (!call?.answered || call.ended) return;
  send({ type: 'call.dtmf', digits: key });
  heard(`You pressed ${key}`);
}

document.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
  if (KEYS.includes(event.key) && call?.answered && !call.ended) press(event.key);
});

function heard(text, className) {
  $('#heard').append(el('li', { class: className, text }));
}

function speak(text, language) {
  if (!$('#sound').checked || !('speechSynthesis' in window)) return;
  const utterance = new SpeechSynthesisUtterance(text);
  if (language) utterance.lang = language;
  speechSynthesis.speak(utterance);
}

function missed(from, at) {
  const list = $('#missed-list');
  list.querySelector('.empty')?.remove();
  list.prepend(el('li', { class: 'item' }, el('span', { class: 'badge bad', text: 'Missed' }), ' ',
    el('span', { class: 'who missed', text: from }), ' ', timeOf(at)));
}

function onFrame(frame) {
  switch (frame.type) {
    case 'sms':
      return showMessage(frame);
    case 'sms.sent': {
      const sent = pendingSends.shift();
      if (sent) showMessage({ id: frame.id, from: number, to: frame.to, text: sent.text, at: new Date().toISOString() });
      $('#compose-form').text.value = '';
      return status(`Sent to ${frame.to}.`);
    }
    case 'call.incoming':
      if (call && !call.ended) return; // One call on screen; a second one rings until its timeout.
      call = { sid: frame.callSid, from: frame.from, answered: false, ended: false };
      $('#heard').replaceChildren();
      $('#gather-hint').textContent = '';
      render();
      return $('#answer').focus();
    case 'call.say':
      if (frame.callSid !== call?.sid) return;
      heard(frame.text, 'said');
      $('#gather-hint').textContent = '';
      return speak(frame.text, frame.language);
    case 'call.play':
      if (frame.callSid !== call?.sid) return;
      return heard(frame.beep ? 'Beep' : frame.digits ? `Tones ${frame.digits}` : `Playing ${frame.url}`);
    case 'call.dtmf':
      if (frame.callSid !== call?.sid) return;
      return heard(`The caller sent the digits ${frame.digits}`);
    case 'call.record':
      if (frame.callSid !== call?.sid) return;
      return heard(`Recording (up to ${frame.maxLength} s): hang up or press ${frame.finishOnKey || 'a key'} to stop`);
    case 'call.conference':
      if (frame.callSid !== call?.sid) return;
      return heard(`In conference ${frame.name} with ${frame.participants.join(', ')}`);
    case 'call.gather':
      if (frame.callSid !== call?.sid) return;
      $('#gather-hint').textContent = frame.numDigits ? `The call waits for ${frame.numDigits} digit(s).` : `The call waits for digits, ending with ${frame.finishOnKey || 'a pause'}.`;
      return;
    case 'call.ended':
      if (frame.callSid !== call?.sid) return;
      call.ended = true;
      call.status = frame.status;
      if (!call.answered) missed(call.from, new Date().toISOString());
      $('#gather-hint').textContent = '';
      window.speechSynthesis?.cancel();
      return render();
    case 'error':
      if (lastSent === 'sms.send') {
        pendingSends.shift();
        return status(frame.message, true);
      }
      $('#call-state').textContent = frame.message;
      return undefined;
    default:
      return undefined;
  }
}

render();
