// The simulator's console and phone pages as a person uses them: headless Chromium (Debian's, driven by
// playwright-core) against a real `verigate start` process, verifications started through the Verify API.
// With VERIGATE_SCREENSHOTS=1 the screenshots are written to docs/images/ (the ones docs/simulator.md shows).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackProcess, type CliProcess } from '../support/cli-process';
import { available, chromium as findChromium } from '../support/components';
import { TestEventStream } from '../support/event-stream';
import { TestHandset } from '../support/handset';

const CHROMIUM = findChromium();
const runs = available(CHROMIUM, 'simulator console in Chromium');
const sid = 'AC' + '5c'.repeat(16);
const token = 'console-e2e-token';
const auth = { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` };
const dir = mkdtempSync(join(tmpdir(), 'verigate-console-'));
const shots = process.env['VERIGATE_SCREENSHOTS'] === '1' ? fileURLToPath(new URL('../../docs/images/', import.meta.url)) : dir;
let stack: CliProcess & { verifyPort: number; simPort: number };
let browser: Browser;
let context: BrowserContext;
let serviceSid: string;

const sim = () => `http://127.0.0.1:${stack.simPort}`;

async function verify(path: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${stack.verifyPort}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** PUT /api/settings on the simulator; answers the settings now in force. */
async function simSettings(body: Record<string, number>): Promise<Record<string, number>> {
  const response = await fetch(`${sim()}/api/settings`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`/api/settings: ${response.status}`);
  return (await response.json()) as Record<string, number>;
}

const start = (to: string, channel: 'sms' | 'call' | 'flashcall') => verify(`/v2/Services/${serviceSid}/Verifications`, { To: to, Channel: channel, Locale: 'en' });
const check = (to: string, code: string) => verify(`/v2/Services/${serviceSid}/VerificationCheck`, { To: to, Code: code });

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(`${sim()}${path}`);
  await page.getByText('Live', { exact: true }).waitFor({ timeout: 10_000 });
  return page;
}

beforeAll(async () => {
  if (!runs) return;
  stack = await startStackProcess(['--data', join(dir, 'console.db')], { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: token });
  browser = await chromium.launch({
    executablePath: CHROMIUM.path,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext();
  serviceSid = (await verify('/v2/Services', { FriendlyName: 'Verigate' }))['sid'] as string;
  // Signs in once through the form; every page of the context shares the session.
  const page = await context.newPage();
  await page.goto(`${sim()}/`);
  await page.getByLabel('Auth token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${sim()}/`);
  await page.close();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(runs)('the simulator console in Chromium', () => {
  it('shows a verification by SMS live, with its receipt', async () => {
    const page = await open('/');
    const number = '+4915112370101';
    // The outcome and the receipt a while after the message: they reach the page as a change of their own
    // (`message.changed`, what the page asks for), merged into the message it shows.
    const { receiptDelayMs } = await simSettings({});
    await simSettings({ receiptDelayMs: 400 });
    const message = page.getByRole('article', { name: `SMS from Verigate to ${number}` });
    try {
      await start(number, 'sms');
      await expect.poll(() => message.textContent(), { timeout: 10_000 }).toMatch(/Your Verigate verification code is: \d{6}/);
      await message.getByText('Parts and receipts').click();
      await expect.poll(() => message.textContent(), { timeout: 10_000 }).toMatch(/delivered · receipt sent/);
    } finally {
      await simSettings({ receiptDelayMs: receiptDelayMs! });
    }
    const code = /code is: (\d{6})/.exec((await message.textContent())!)![1]!;
    expect((await check(number, code))['status']).toBe('approved');

    // Search by number, then by text; a direction filter hides it.
    await page.getByRole('searchbox', { name: 'Search' }).fill('0151 1237 0101');
    await expect.poll(() => message.isVisible()).toBe(true);
    await page.getByRole('combobox', { name: 'Direction' }).selectOption('mo');
    await expect.poll(() => message.isVisible()).toBe(false);
    await page.close();
  });

  it('answers a voice-code call on the phone page, reads the code, hears it again after pressing 1, and approves it', async () => {
    const number = '+4915112370102';
    const page = await open(`/phones/${number}`, { width: 390, height: 844 });
    await start(number, 'call');
    await page.getByRole('button', { name: 'Answer' }).click({ timeout: 10_000 });
    const heard = page.getByRole('list', { name: 'What the call says' });
    // The call takes speaking time as a real one does (the code, then the prompt): some seconds before the prompt.
    await heard.getByText('Press 1 to hear the code again.').waitFor({ timeout: 20_000 });
    await page.getByText(/The call waits for 1 digit/).waitFor();
    const said = await heard.getByText(/Your Verigate verification code is:/).textContent();
    const code = said!.replace(/\D/g, '');
    expect(code).toMatch(/^\d{6}$/);

    await page.getByRole('group', { name: 'Keypad' }).getByRole('button', { name: '1', exact: true }).click();
    await expect.poll(() => heard.getByText(/Your Verigate verification code is:/).count(), { timeout: 20_000 }).toBe(2);
    await page.screenshot({ path: join(shots, 'phone.png'), fullPage: true });
    expect((await check(number, code))['status']).toBe('approved');
    await page.getByRole('button', { name: 'Hang up' }).click();
    await page.getByText('Call ended (completed)').waitFor();
    await page.close();
  }, 60_000);

  it('shows a flash call\'s number prominently, and keeps it as a missed call once canceled', async () => {
    const number = '+4915112370103';
    const page = await open(`/phones/${number}`);
    await start(number, 'flashcall');
    const missed = page.getByRole('list', { name: 'Missed calls' });
    await missed.getByText(/^\+4930990\d+$/).waitFor({ timeout: 10_000 });
    const caller = (await page.getByLabel('Calling number').textContent())!;
    expect(caller).toMatch(/^\+4930990\d{6}$/);
    expect(await page.getByText(`Missed call from ${caller}`).isVisible()).toBe(true);
    expect((await check(number, caller.slice(-6)))['status']).toBe('approved');
    await page.close();
  });

  it('sends an MO from the phone page that reaches a WebSocket handset, shown as text however it is written', async () => {
    const handset = await TestHandset.connect(`ws://127.0.0.1:${stack.simPort}/ws/handsets/%2B4915112370105`, auth);
    try {
      const page = await open('/phones/+4915112370104');
      const text = 'Hi <img src=x onerror="window.__injected=1"> & bye';
      await page.getByRole('textbox', { name: 'To' }).fill('+4915112370105');
      await page.getByRole('textbox', { name: 'Message' }).fill(text);
      await page.getByRole('button', { name: 'Send' }).click();
      const [sms] = await handset.waitForFrames('sms', 1, 10_000);
      expect(sms).toMatchObject({ from: '+4915112370104', to: '+4915112370105', text });
      await page.getByText(text).waitFor();

      const consolePage = await open('/');
      await consolePage.getByRole('article', { name: 'SMS from +4915112370104 to +4915112370105' }).getByText(text).waitFor();
      expect(await consolePage.evaluate('window.__injected')).toBeUndefined();
      expect(await consolePage.locator('#message-list img').count()).toBe(0);
      await consolePage.close();
      await page.close();
    } finally {
      handset.close();
    }
  });

  it('streams events to a script client', async () => {
    const stream = await TestEventStream.connect(`ws://127.0.0.1:${stack.simPort}/ws/events?access_token=${token}`);
    try {
      const number = '+4915112370106';
      await start(number, 'sms');
      const created = await stream.waitFor('message.created', (data) => data['to'] === number, 10_000);
      expect(created.version).toBe(1);
      expect(created.data['text']).toMatch(/^Your Verigate verification code is: \d{6}$/);
      await stream.waitFor('message.updated', (data) => data['id'] === created.data['id'] && (data['segments'] as { receipt: string }[])[0]?.receipt === 'sent', 10_000);
    } finally {
      stream.close();
    }
  });

  it('changes the network from the controls, at once', async () => {
    const page = await open('/');
    const form = page.getByRole('group', { name: 'Behaviour of a number' });
    await form.getByRole('textbox', { name: 'Number' }).fill('+4915112370107');
    await form.getByRole('combobox', { name: 'SMS' }).selectOption('undeliverable');
    await form.getByRole('button', { name: 'Set behaviour' }).click();
    await page.getByRole('cell', { name: '+4915112370107', exact: true }).waitFor();
    await start('+4915112370107', 'sms');
    const message = page.getByRole('article', { name: 'SMS from Verigate to +4915112370107' });
    await message.getByText('undeliverable').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Remove the behaviour of +4915112370107' }).click();
    await page.getByText('Every number follows the defaults.').waitFor();

    await page.getByRole('button', { name: /^slow-receipts/ }).click();
    await page.getByText('Scenario "slow-receipts" applied.').waitFor();
    expect(await page.getByRole('spinbutton', { name: 'Receipt delay (ms)' }).first().inputValue()).toBe('30000');
    await page.getByRole('button', { name: /^happy/ }).click();
    await page.getByText('Scenario "happy" applied.').waitFor();
    // The verifier's SMPP binds, with their window in use.
    await page.getByRole('table', { name: 'Bound SMPP sessions' }).getByRole('cell', { name: 'transceiver' }).first().waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(shots, 'console.png') });
    await page.close();
  });
});
