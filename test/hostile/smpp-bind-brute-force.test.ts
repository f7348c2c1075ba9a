// Issue 9, "Bind brute force": failed binds are reported (never the password), a source that keeps
// failing is locked out and answered late, and a refusal does not tell which system_ids exist.
import { afterEach, describe, expect, it } from 'vitest';
import { CommandStatus } from '../../gateway/smpp';
import { startSimulator, type RunningSimulator } from '../support/simulator-harness';
import { TestEsme } from '../support/esme';
import { ManualClock } from '../support/manual-clock';
import { bindTransceiverBody, COMMAND, pdu, RawPeer } from '../support/raw-smpp-peer';
import { startSimulatorProcess } from '../support/cli-process';
import { waitFor } from '../support/wait-for';
import type { BindFailure, RefusalReport } from '../../simulator/smsc/smsc-server';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const guard = { maxFailures: 5, lockoutMs: 60_000, refusalDelayMs: 1_000 };

async function simulator(clock: ManualClock): Promise<RunningSimulator & { failures: BindFailure[]; refusals: RefusalReport[] }> {
  const running = await startSimulator({ clock, smsc: { bindGuard: guard } });
  cleanups.push(() => running.stop());
  const failures: BindFailure[] = [];
  const refusals: RefusalReport[] = [];
  running.sim.smsc.on('bindFailed', (failure) => failures.push(failure));
  running.sim.smsc.on('refused', (report) => refusals.push(report));
  return Object.assign(running, { failures, refusals });
}

async function rawPeer(port: number, localAddress?: string): Promise<RawPeer> {
  const peer = await RawPeer.connect(port, localAddress);
  cleanups.push(() => peer.socket.destroy());
  return peer;
}

async function esme(port: number, localAddress?: string): Promise<TestEsme> {
  const client = await TestEsme.connect(port, '127.0.0.1', localAddress);
  cleanups.push(() => client.close());
  return client;
}

describe('SMPP bind brute force', () => {
  it('answers an unknown system_id and a wrong password with the same status, and reports each without the password', async () => {
    const running = await simulator(new ManualClock());
    const client = await esme(running.smppPort);
    const unknownId = await client.bind('transceiver', 'nobody', 'verigate');
    const wrongPassword = await client.bind('transceiver', 'verigate', 'guess-1');
    expect(unknownId.command_status).toBe(CommandStatus.ESME_RINVPASWD);
    expect(wrongPassword.command_status).toBe(unknownId.command_status);
    expect(running.failures.map((f) => f.systemId)).toEqual(['nobody', 'verigate']);
    expect(running.failures.every((f) => f.remote.startsWith('127.0.0.1:') && !f.lockedOut)).toBe(true);
    expect(JSON.stringify(running.failures)).not.toContain('guess-1');
  });

  it('locks a source out after repeated failures: late refusals, no password checked, other sources unaffected', async () => {
    const clock = new ManualClock();
    const running = await simulator(clock);
    const attacker = await rawPeer(running.smppPort, '127.0.0.1');
    for (let sequence = 1; sequence <= guard.maxFailures; sequence++) {
      attacker.socket.write(pdu(COMMAND.BIND_TRANSCEIVER, sequence, bindTransceiverBody('verigate', `guess-${sequence}`)));
      const answer = await waitFor(`refusal ${sequence}`, () => attacker.answer(sequence));
      expect(answer.status).toBe(CommandStatus.ESME_RINVPASWD);
    }
    expect(running.failures.at(-1)?.lockedOut).toBe(true);

    // Locked out: even the right password is refused, and only after the delay. The enquire_link written
    // after the bind is answered first, so the bind's answer was held back, not lost in transit.
    attacker.socket.write(Buffer.concat([pdu(COMMAND.BIND_TRANSCEIVER, 10, bindTransceiverBody('verigate', 'verigate')), pdu(COMMAND.ENQUIRE_LINK, 11)]));
    await waitFor('enquire_link_resp', () => attacker.answer(11));
    expect(attacker.answer(10)).toBeUndefined();
    clock.advance(guard.refusalDelayMs);
    expect((await waitFor('the late refusal', () => attacker.answer(10))).status).toBe(CommandStatus.ESME_RINVPASWD);
    expect(running.failures).toHaveLength(guard.maxFailures); // not checked, so not a failure of its own
    expect(running.refusals).toEqual([{ address: '127.0.0.1', reason: 'locked-out', count: 1 }]);

    // Guesses pipelined on one connection are all refused unchecked, the right one among them.
    const burst = Array.from({ length: 50 }, (_, i) => pdu(COMMAND.BIND_TRANSCEIVER, 100 + i, bindTransceiverBody('verigate', i === 25 ? 'verigate' : `burst-${i}`)));
    attacker.socket.write(Buffer.concat(burst));
    await waitFor('49 immediate refusals', () => attacker.received.filter((h) => h.sequence >= 100).length >= 49);
    clock.advance(guard.refusalDelayMs);
    const answers = await waitFor('all 50 refusals', () => {
      const found = attacker.received.filter((h) => h.sequence >= 100);
      return found.length === 50 ? found : undefined;
    });
    expect(answers.every((h) => h.commandId === COMMAND.BIND_TRANSCEIVER_RESP && h.status === CommandStatus.ESME_RINVPASWD)).toBe(true);
    expect(running.failures).toHaveLength(guard.maxFailures);

    // Another source binds normally meanwhile.
    const neighbour = await esme(running.smppPort, '127.0.0.2');
    expect((await neighbour.bind('transceiver')).command_status).toBe(CommandStatus.ESME_ROK);

    // Once the lockout is over, the right password binds from the locked source again.
    clock.advance(guard.lockoutMs);
    const back = await esme(running.smppPort, '127.0.0.1');
    expect((await back.bind('transceiver')).command_status).toBe(CommandStatus.ESME_ROK);
  });

  it('doubles the lockout for a source that starts failing again', async () => {
    const clock = new ManualClock();
    const running = await simulator(clock);
    // A new connection each time: an unbound one does not outlive the 30 s bind timeout.
    const failAll = async () => {
      const client = await esme(running.smppPort);
      for (let i = 0; i < guard.maxFailures; i++) await client.bind('transceiver', 'verigate', `guess-${i}`);
    };
    await failAll();
    clock.advance(guard.lockoutMs);
    await failAll();
    expect(running.failures.filter((f) => f.lockedOut)).toHaveLength(2);
    clock.advance(guard.lockoutMs); // half of the second lockout
    const refused = (await esme(running.smppPort)).bind('transceiver');
    await waitFor('the locked-out bind to be seen', () => running.refusals.length > 0);
    clock.advance(guard.refusalDelayMs);
    expect((await refused).command_status).toBe(CommandStatus.ESME_RINVPASWD);
    clock.advance(guard.lockoutMs);
    expect((await (await esme(running.smppPort)).bind('transceiver')).command_status).toBe(CommandStatus.ESME_ROK);
  });

  it('logs a failed bind with its source and system_id, never its password (the simulator process)', async () => {
    const sim = await startSimulatorProcess([]);
    cleanups.push(() => sim.kill('SIGKILL'));
    const client = await esme(sim.smppPort);
    expect((await client.bind('transceiver', 'intruder', 'pw-12345')).command_status).toBe(CommandStatus.ESME_RINVPASWD);
    const line = await waitFor('the failed bind in the log', () => sim.stdout().split('\n').find((l) => l.includes('SMPP bind refused')));
    expect(JSON.parse(line)).toMatchObject({ systemId: 'intruder', remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(sim.stdout() + sim.stderr()).not.toContain('pw-12345');
  });
});
