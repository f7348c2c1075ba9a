// Shared by the console and the phone: the API with the session's CSRF header, the live sockets, small DOM helpers.
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

/** Calls the control API; resolves with the JSON answer, rejects with the API's error message. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { 'x-verigate-csrf': csrf, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
    throw new Error('signed out');
  }
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new Error(json?.message ?? `${response.status} ${response.statusText}`);
  return json;
}

/**
 * A WebSocket of this host that reconnects after a drop (1 s, then up to 10 s),
 * telling `onState` 'live' or 'down' and `onOpen` each time it is (re)opened.
 */
export function liveSocket(path, { onMessage, onOpen, onState }) {
  let delay = 1000;
  let socket;
  const connect = () => {
    socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`);
    socket.addEventListener('open', () => {
      delay = 1000;
      onState?.('live');
      onOpen?.(socket);
    });
    socket.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      // A batched stream (/ws/events?batch=1) sends an interval's events as one array.
      for (const one of Array.isArray(frame) ? frame : [frame]) onMessage(one, socket);
    });
    socket.addEventListener('close', () => {
      onState?.('down');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    });
  };
  connect();
  return {
    /** Whether the frame went out (false while reconnecting). */
    send(frame) {
      if (socket?.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
  };
}

/** `el('li', { class: 'x', text: 'y' }, child…)`: text always as text, never as HTML. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}

export function timeOf(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return el('time', { datetime: iso, title: date.toLocaleString(), text: date.toLocaleTimeString() });
}

export function showLive(element, state) {
  element.dataset.state = state;
  element.textContent = state === 'live' ? 'Live' : 'Reconnecting…';
}
