// The simulator's inbox is a phone's inbox: it holds codes in clear, so `verigate start` keeps it in a file
// of its own, and the verifier's database holds no code, also after an upgrade from the shared layout.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TestHandset } from '../support/handset';
import { startStackProcess, type CliProcess } from '../support/cli-process';
import { credentials, authHeader } from '../support/stack-harness';

const env = { VERIGATE_ACCOUNT_SID: credentials.accountSid, VERIGATE_AUTH_TOKEN: credentials.authToken };
const dir = mkdtempSync(join(tmpdir(), 'verigate-sim-store-'));
const processes: CliProcess[] = [];

afterEach(async () => {
  await Promise.all(processes.splice(0).map((p) => p.kill('SIGKILL')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function api(port: number, path: string, form?: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: form ? 'POST' : 'GET',
    headers: { authorization: authHeader, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return (await response.json()) as Record<string, unknown>;
}

function fileHolds(file: string, text: string): boolean {
  return [file, `${file}-wal`].filter((f) => existsSync(f)).some((f) => readFileSync(f).includes(Buffer.from(text)));
}

async function smsCode(stack: { verifyPort: number; simPort: number }, to: string): Promise<string> {
  const service = String((await api(stack.verifyPort, '/v2/Services', { FriendlyName: 'Acme', CodeLength: '10' }))['sid']);
  const phone = await TestHandset.connect(`ws://127.0.0.1:${stack.simPort}/ws/handsets/${encodeURIComponent(to)}`, { authorization: authHeader });
  await api(stack.verifyPort, `/v2/Services/${service}/Verifications`, { To: to, Channel: 'sms' });
  const code = /(\d{10})$/.exec(String((await phone.waitForFrames('sms'))[0]!['text']))![1]!;
  phone.close();
  return code;
}

async function inbox(simPort: number, to: string): Promise<string[]> {
  const listed = await api(simPort, `/api/handsets/${encodeURIComponent(to)}/messages`);
  return (listed['messages'] as { text: string }[]).map((m) => m.text);
}

describe("the simulator's store in `verigate start`", () => {
  it("is a file of its own beside the verifier's, and the verifier's database holds no code", { timeout: 30_000 }, async () => {
    const data = join(dir, 'own', 'verigate.db');
    const stack = await startStackProcess(['--data', data], env);
    processes.push(stack);
    expect(stack.stdout()).toContain(`Data              ${data} (verifier), ${join(dir, 'own', 'verigate-simulator.db')} (simulator)`);
    const code = await smsCode(stack, '+4915112391001');
    expect(await stack.kill('SIGTERM')).toBe(0);
    expect(fileHolds(join(dir, 'own', 'verigate-simulator.db'), code)).toBe(true);
    expect(fileHolds(data, code)).toBe(false);
  });

  it("moves the messages of a database shared by an earlier version into the simulator's file, leaving no text behind", { timeout: 40_000 }, async () => {
    const data = join(dir, 'shared', 'verigate.db');
    // The earlier layout: one file for both.
    const old = await startStackProcess(['--data', data, '--sim-data', data], env);
    processes.push(old);
    const code = await smsCode(old, '+4915112391002');
    expect(await old.kill('SIGTERM')).toBe(0);
    expect(fileHolds(data, code)).toBe(true);

    const upgraded = await startStackProcess(['--data', data], env);
    processes.push(upgraded);
    expect((await inbox(upgraded.simPort, '+4915112391002')).some((text) => text.endsWith(code))).toBe(true);
    expect(await upgraded.kill('SIGTERM')).toBe(0);
    expect(fileHolds(data, code)).toBe(false);
    const db = new Database(data, { readonly: true });
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name IN ('messages', 'segments')").all()).toEqual([]);
    db.close();
  });
});
