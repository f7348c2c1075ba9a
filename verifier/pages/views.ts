import type { Channel } from '../store/verification-repository';
import { html, layout, type SafeHtml } from './layout';

export interface StartView {
  brand: string;
  csrf: string;
  codeLength: number;
  phone?: string;
  channel?: Channel;
  /** An error about the phone number or the channel. */
  error?: { field: 'phone' | 'channel'; message: string };
}

export interface CodeView {
  brand: string;
  csrf: string;
  codeLength: number;
  to: string;
  channel: Channel;
  error?: string;
  attemptsLeft?: number;
  /** A notice, e.g. after a new code was sent. */
  notice?: string;
}

const CHANNEL_CHOICES: { value: Channel; label: string; hint: (digits: number) => string }[] = [
  { value: 'sms', label: 'Text message (SMS)', hint: (n) => `We text you a ${n}-digit code.` },
  { value: 'call', label: 'Voice call', hint: (n) => `We call you and read out a ${n}-digit code.` },
  { value: 'flashcall', label: 'Flash call', hint: () => 'We ring you once; the number that calls you is your code. No need to answer.' },
];

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

/** The describedby ids of a field: its hint, and its error when there is one. */
const describedBy = (id: string, invalid: boolean) => (invalid ? `${id}-hint ${id}-error` : `${id}-hint`);

export function startPage(view: StartView): string {
  const phoneError = view.error?.field === 'phone' ? view.error.message : undefined;
  const channelError = view.error?.field === 'channel' ? view.error.message : undefined;
  const selected = view.channel ?? 'sms';
  const { codeLength } = view;
  const body = html`<h1>Verify your phone number</h1>
<form method="post" action="/" novalidate>
${csrfField(view.csrf)}
<div class="field">
<label for="phone">Phone number</label>
<p class="hint" id="phone-hint">In international format, starting with + and the country code, for example +49 151 23456789.</p>
<input type="tel" id="phone" name="phone" value="${view.phone ?? ''}" autocomplete="tel" inputmode="tel" required autofocus
  aria-describedby="${describedBy('phone', !!phoneError)}"${phoneError ? html` aria-invalid="true"` : ''}>
${phoneError ? html`<p class="error" id="phone-error" role="alert">${phoneError}</p>` : ''}
</div>
<fieldset${channelError ? html` aria-describedby="channel-error"` : ''}>
<legend>How should we send your code?</legend>
${CHANNEL_CHOICES.map((c) => html`<div class="choice">
<input type="radio" id="channel-${c.value}" name="channel" value="${c.value}" aria-describedby="channel-${c.value}-hint"${c.value === selected ? html` checked` : ''}>
<label for="channel-${c.value}">${c.label}</label>
<span class="hint" id="channel-${c.value}-hint">${c.hint(codeLength)}</span>
</div>`)}
${channelError ? html`<p class="error" id="channel-error" role="alert">${channelError}</p>` : ''}
</fieldset>
<button type="submit">Send code</button>
</form>`;
  return layout({ title: 'Verify your phone number', brand: view.brand, body });
}

function codeInstructions(channel: Channel, to: string, n: number): { label: string; hint: string; numeric: boolean } {
  if (channel === 'flashcall') {
    return { label: 'Enter the number that just called you', hint: `We are ringing ${to} once. Type the full caller number (or its last ${n} digits); you do not need to answer.`, numeric: false };
  }
  if (channel === 'call') return { label: 'Enter the code from the call', hint: `We are calling ${to} and reading out a ${n}-digit code.`, numeric: true };
  return { label: 'Enter the code we sent you', hint: `We sent a text message with a ${n}-digit code to ${to}.`, numeric: true };
}

export function codePage(view: CodeView): string {
  const { label, hint, numeric } = codeInstructions(view.channel, view.to, view.codeLength);
  const left = view.attemptsLeft;
  const errorText = view.error ? `${view.error}${left !== undefined ? ` ${left} ${left === 1 ? 'attempt' : 'attempts'} left.` : ''}` : undefined;
  const input = numeric
    ? html`<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]*" maxlength="10" required autofocus`
    : html`<input type="tel" id="code" name="code" inputmode="tel" autocomplete="off" maxlength="20" required autofocus`;
  const body = html`<h1>Check your phone</h1>
${view.notice ? html`<p role="status">${view.notice}</p>` : ''}
<form method="post" action="/code" novalidate>
${csrfField(view.csrf)}
<div class="field">
<label for="code">${label}</label>
<p class="hint" id="code-hint">${hint}</p>
${input} aria-describedby="${describedBy('code', !!errorText)}"${errorText ? html` aria-invalid="true"` : ''}>
${errorText ? html`<p class="error" id="code-error" role="alert">${errorText}</p>` : ''}
</div>
<button type="submit">Verify</button>
</form>
<form method="post" action="/code/resend">
${csrfField(view.csrf)}
<button type="submit" class="secondary">${view.channel === 'sms' ? 'Send a new text' : 'Call me again'}</button>
</form>
<p class="actions"><a href="/">Use a different number or method</a></p>`;
  return layout({ title: label, brand: view.brand, body });
}

export function verifiedPage(view: { brand: string; to: string; token: string; expiresAt: Date }): string {
  const until = view.expiresAt.toISOString().replace('T', ' ').slice(0, 16);
  const body = html`<h1 class="ok">${view.to} is verified</h1>
<p role="status">Your phone number has been confirmed.</p>
<div class="field">
<label for="token">Session token</label>
<p class="hint" id="token-hint">A signed token (JWT) that proves the verification to the app that sent you here. Copy it and paste it there. It is valid until ${until} UTC.</p>
<textarea id="token" name="token" readonly autofocus spellcheck="false" aria-describedby="token-hint">${view.token}</textarea>
</div>
<p class="actions"><a href="/">Verify another number</a></p>`;
  return layout({ title: `${view.to} is verified`, brand: view.brand, body });
}

/** A dead end with a way back to the start: failure, forbidden, rate limited, server error. */
export function messagePage(view: { brand: string; title: string; message: string; detail?: string; link?: { href: string; text: string } }): string {
  const link = view.link ?? { href: '/', text: 'Start again' };
  const body: SafeHtml = html`<h1>${view.title}</h1>
<div class="alert" role="alert"><p>${view.message}</p>${view.detail ? html`<p>${view.detail}</p>` : ''}</div>
<p class="actions"><a href="${link.href}" autofocus>${link.text}</a></p>`;
  return layout({ title: view.title, brand: view.brand, body });
}
