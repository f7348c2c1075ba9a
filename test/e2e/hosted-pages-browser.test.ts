// The hosted pages as a person uses them: headless Chromium (Debian's, driven by playwright-core)
// against a real `verigate start` process, the code read from a handset on the WebSocket, and the
// session token checked against the published JWKS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestHandset } from '../support/handset';
import { startStackProcess, type CliProcess } from '../support/cli-process';
import { available, chromium as findChromium } from '../support/components';

const CHROMIUM = findChromium();
const runs = available(CHROMIUM, 'hosted pages in Chromium');
const sid = 'AC' + '7e'.repeat(16);
const token = 'browser-e2e-token';
const auth = { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` };
const dir = mkdtempSync(join(tmpdir(), 'verigate-browser-'));
let stack: CliProcess & { verifyPort: number; simPort: number };
let browser: Browser;

beforeAll(async () => {
  if (!runs) return;
  stack = await startStackProcess(['--data', join(dir, 'pages.db')], { VERIGATE_ACCOUNT_SID: sid, VERIGATE_AUTH_TOKEN: token });
  browser = await chromium.launch({
    executablePath: CHROMIUM.path,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

async function verifyInBrowser(number: string, channel: 'sms' | 'flashcall', codeFrom: (handset: TestHandset) => Promise<string>): Promise<string> {
  const handset = await TestHandset.connect(`ws://127.0.0.1:${stack.simPort}/ws/handsets/${encodeURIComponent(number)}`, auth);
  const page = await browser.newPage();
  try {
    const base = `http://127.0.0.1:${stack.verifyPort}`;
    await page.goto(`${base}/`);
    await page.getByLabel(/phone number/i).fill(number);
    await page.locator(`input[name="channel"][value="${channel}"]`).check();
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.waitForURL(`${base}/code`);
    if (channel === 'flashcall') expect(await page.getByText('Enter the number that just called you').isVisible()).toBe(true);
    const code = await codeFrom(handset);
    expect(page.url()).not.toContain(code);
    await page.locator('#code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    expect((await page.locator('h1').textContent())?.trim()).toBe(`${number} is verified`);
    expect(page.url()).not.toContain(code);
    await page.screenshot({ path: join(dir, `${channel}.png`), fullPage: true });
    return (await page.locator('#token').inputValue()).trim();
  } finally {
    await page.close();
    handset.close();
  }
}

async function expectValidToken(jwt: string, number: string): Promise<void> {
  const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${stack.verifyPort}/.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(jwt, jwks, { issuer: `http://127.0.0.1:${stack.verifyPort}` });
  expect(protectedHeader.alg).toBe('ES256');
  expect(payload.sub).toBe(number);
}

describe.runIf(runs)('hosted verification pages in Chromium', () => {
  it('verifies a number by SMS and hands out a session token the JWKS vouches for', async () => {
    const jwt = await verifyInBrowser('+4915112370001', 'sms', async (handset) => {
      const [sms] = await handset.waitForFrames('sms', 1, 10_000);
      return /(\d{6})$/.exec(String(sms!['text']))![1]!;
    });
    await expectValidToken(jwt, '+4915112370001');
  });

  it('verifies a number by flash call, typing the caller ID', async () => {
    const jwt = await verifyInBrowser('+4915112370002', 'flashcall', async (handset) => {
      const [call] = await handset.waitForFrames('call.incoming', 1, 10_000);
      return String(call!['from']);
    });
    await expectValidToken(jwt, '+4915112370002');
  });
});
