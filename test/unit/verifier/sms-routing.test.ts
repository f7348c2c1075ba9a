import { afterEach, describe, expect, it } from 'vitest';
import { startStack, authHeader, type RunningStack } from '../../support/stack-harness';
import { TestHandset } from '../../support/handset';
import { waitFor } from '../../support/wait-for';

let stack: RunningStack | undefined;
afterEach(async () => {
  await stack?.stop();
});

describe('SMS routing by destination prefix', () => {
  it('sends +1 numbers through the REST SMS API and others over SMPP, recording delivery from both', async () => {
    stack = await startStack({ smsRestPrefixes: ['+1'] });
    const sid = String((await stack.verify('/v2/Services', { FriendlyName: 'Acme' })).body['sid']);
    const us = await TestHandset.connect(stack.sim.wsUrl('+12025550123'), { authorization: authHeader });
    const de = await TestHandset.connect(stack.sim.wsUrl('+4915112390001'), { authorization: authHeader });
    const viaRest = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+12025550123', Channel: 'sms' });
    const viaSmpp = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112390001', Channel: 'sms' });
    expect((await us.waitForFrames('sms'))[0]!['text']).toMatch(/^Your Acme verification code is: \d{6}$/);
    expect((await de.waitForFrames('sms'))[0]!['text']).toMatch(/^Ihr Bestätigungscode für Acme lautet: \d{6}$/);
    const { storage } = stack.verifier;
    const routes = [];
    for (const started of [viaRest, viaSmpp]) {
      const [attempt] = await waitFor('delivery recorded', async () => {
        const attempts = await storage.attempts.of(String(started.body['sid']));
        return attempts[0]?.deliveryStatus === 'delivered' && attempts;
      });
      routes.push((await storage.outbox.get(attempt!.outboxId!))?.route);
    }
    expect(routes).toEqual(['voice', 'smpp']);
    us.close();
    de.close();
  });
});

describe('a verifier without a route for a channel', () => {
  it('refuses that channel at start with 400 60200 naming the missing route, and serves the others', async () => {
    stack = await startStack({ voiceApi: undefined });
    const sid = String((await stack.verify('/v2/Services', { FriendlyName: 'Acme' })).body['sid']);
    const call = await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112390002', Channel: 'call' });
    expect(call).toMatchObject({ status: 400, body: { code: 60200 } });
    expect(String(call.body['message'])).toContain('no voice route');
    expect((await stack.verify(`/v2/Services/${sid}/Verifications`, { To: '+4915112390002', Channel: 'sms' })).status).toBe(201);
  });
});
