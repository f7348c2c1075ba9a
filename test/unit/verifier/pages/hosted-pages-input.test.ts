import { afterEach, describe, expect, it } from 'vitest';
import { startStack, authHeader, credentials, type RunningStack } from '../../../support/stack-harness';
import { storedVerifications } from '../../../support/stored-verifications';
import { TestHandset } from '../../../support/handset';
import { Browser, csrfOf, decode, textOf } from './browser';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stack(): Promise<RunningStack> {
  const s = await startStack();
  cleanups.push(() => s.stop());
  return s;
}

describe('hosted pages: input the Verify API refuses', () => {
  it('shows an over-long code as a wrong one (422, nothing counted) instead of failing', async () => {
    const s = await stack();
    const browser = new Browser(s.verifyUrl);
    await browser.post('/', { csrf: csrfOf(await browser.get('/')), phone: '+4915112390001', channel: 'sms' });
    const form = await browser.get('/code');
    const answer = await browser.post('/code', { csrf: csrfOf(form), code: '1'.repeat(5_000) });
    expect(answer.status).toBe(422);
    expect(textOf(answer, 'code-error')).toContain('That code is not right.');
    expect((await storedVerifications(s.verifier.storage, credentials.accountSid)).map((v) => v.checks)).toEqual([0]);
  });

  it('tells a number that answered STOP how to receive texts again', async () => {
    const s = await stack();
    const phone = await TestHandset.connect(s.sim.wsUrl('+4915112390002'), { authorization: authHeader });
    cleanups.push(() => phone.close());
    const mo = new Promise((resolve) => s.verifier.gateway.once('mo', resolve));
    phone.send({ type: 'sms.send', to: 'Verigate', text: 'STOP' });
    await mo;
    const browser = new Browser(s.verifyUrl);
    const answer = await browser.post('/', { csrf: csrfOf(await browser.get('/')), phone: '+4915112390002', channel: 'sms' });
    expect(answer.status).toBe(403);
    expect(decode(answer.body)).toContain('Text START to us to receive codes again');
  });
});
