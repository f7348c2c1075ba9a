// Retention: finished verifications (with their attempts) and finished outbox rows go after the configured
// age, in small batches, on the injected clock; pending verifications stay whatever their age.
import { afterEach, describe, expect, it } from 'vitest';
import { Retention } from '../../../verifier/retention';
import { startStack, authHeader, type RunningStack } from '../../support/stack-harness';
import { TestHandset } from '../../support/handset';
import { ManualClock } from '../../support/manual-clock';

let stack: RunningStack | undefined;
afterEach(async () => { await stack?.stop(); });

const DAY = 86_400_000;

/** Two canceled verifications and a pending one (valid for a day), their three SMS sent. */
async function history(s: RunningStack): Promise<{ service: string; sids: string[] }> {
  const service = String((await s.verify('/v2/Services', { FriendlyName: 'Kept', VerificationTtl: '86400' })).body['sid']);
  const numbers = ['+4915112370001', '+4915112370002', '+4915112370003'];
  const phones = await Promise.all(numbers.map((n) => TestHandset.connect(s.sim.wsUrl(n), { authorization: authHeader })));
  const sids: string[] = [];
  for (const to of numbers) sids.push(String((await s.verify(`/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' })).body['sid']));
  await Promise.all(phones.map((phone) => phone.waitForFrames('sms')));
  for (const sid of sids.slice(0, 2)) expect((await s.verify(`/v2/Services/${service}/Verifications/${sid}`, { Status: 'canceled' })).status).toBe(200);
  for (const phone of phones) phone.close();
  return { service, sids };
}

const attemptsOf = async (s: RunningStack, service: string) =>
  ((await s.verify(`/v2/Attempts?VerifyServiceSid=${service}`, undefined, 'GET')).body['attempts'] as { verification_sid: string }[]).map((a) => a.verification_sid);

describe('retention of finished rows', () => {
  it('deletes verifications that ended and outbox rows that finished over a day ago, a batch at a time, and keeps the pending one', async () => {
    stack = await startStack();
    const s = stack;
    const { service, sids } = await history(s);
    expect((await attemptsOf(s, service)).sort()).toEqual([...sids].sort());
    await expect.poll(async () => (await s.verifier.storage.outbox.counts()).sent).toBe(3);

    const clock = new ManualClock(Date.now() + DAY + 2 * 60_000);
    const retention = new Retention(s.verifier.storage, { days: 1, batchSize: 2, intervalMs: 60_000 }, clock);
    expect(await retention.pruneOnce()).toMatchObject({ verifications: 2, outbox: 2 });
    expect(await retention.pruneOnce()).toMatchObject({ verifications: 0, outbox: 1 });
    expect(await attemptsOf(s, service)).toEqual([sids[2]]);
    expect((await s.verifier.storage.outbox.counts()).sent).toBe(0);
    // The pending verification still checks and fetches.
    expect((await s.verify(`/v2/Services/${service}/Verifications/${sids[2]}`, undefined, 'GET')).status).toBe(200);
  });

  it('runs on its own every interval, draining a backlog batch after batch, and not at all with days 0', async () => {
    stack = await startStack();
    const s = stack;
    const { service, sids } = await history(s);
    await expect.poll(async () => (await s.verifier.storage.outbox.counts()).sent).toBe(3);

    const forever = new Retention(s.verifier.storage, { days: 0, batchSize: 1, intervalMs: 60_000 }, new ManualClock(Date.now() + 365 * DAY));
    forever.start();
    expect((await attemptsOf(s, service))).toHaveLength(3);

    const clock = new ManualClock(Date.now() + 2 * DAY);
    const retention = new Retention(s.verifier.storage, { days: 1, batchSize: 1, intervalMs: 60_000 }, clock);
    retention.start();
    clock.advance(59_999);
    expect((await attemptsOf(s, service))).toHaveLength(3);
    clock.advance(1);
    // A full batch re-arms at once (delay 0): the clock stands still while the backlog drains.
    await expect.poll(async () => {
      clock.advance(0);
      return attemptsOf(s, service);
    }).toEqual([sids[2]]);
    await expect.poll(async () => {
      clock.advance(0);
      return (await s.verifier.storage.outbox.counts()).sent;
    }).toBe(0);
    retention.stop();
  });
});
