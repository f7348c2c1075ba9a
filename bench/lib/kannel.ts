/**
 * Kannel 1.4.5 (Debian's `kannel`: bearerbox + smsbox) as the reference SMS gateway: HTTP sendsms in,
 * SMPP submit_sm out to the SMSC under test, delivery reports requested as Verigate requests them.
 * Installed from Debian's packages when missing (as CI installs chromium), configured in a temporary
 * folder, bound to loopback, stopped at the end.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { processCpuTimeMs } from './child-server';

const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';

export interface Kannel {
  /** http://127.0.0.1:PORT/cgi-bin/sendsms?username=bench&password=bench */
  sendsms: string;
  /** bearerbox + smsbox CPU time so far, in ms. */
  cpuTimeMs(): number;
  stop(): Promise<void>;
}

/** apt-get installs Debian's kannel if bearerbox is missing; false where that cannot be done. */
export function ensureKannel(): boolean {
  if (existsSync(BEARERBOX) && existsSync(SMSBOX)) return true;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'kannel'], { stdio: 'inherit', env });
  return existsSync(BEARERBOX) && existsSync(SMSBOX);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface KannelOptions {
  smppPort: number;
  systemId: string;
  password: string;
  /** Kannel's max-pending-submits: its SMPP window. */
  window: number;
}

export async function startKannel(options: KannelOptions): Promise<Kannel> {
  const dir = mkdtempSync(join(tmpdir(), 'verigate-kannel-'));
  const [adminPort, smsboxPort, sendsmsPort] = [await freePort(), await freePort(), await freePort()];
  const conf = join(dir, 'kannel.conf');
  writeFileSync(conf, `
group = core
admin-port = ${adminPort}
admin-password = bench
admin-interface = 127.0.0.1
smsbox-port = ${smsboxPort}
smsbox-interface = 127.0.0.1
log-level = 3
log-file = "${join(dir, 'bearerbox.log')}"
box-allow-ip = 127.0.0.1
sms-incoming-queue-limit = -1

group = smsc
smsc = smpp
smsc-id = sim
host = 127.0.0.1
port = ${options.smppPort}
transceiver-mode = true
smsc-username = ${options.systemId}
smsc-password = ${options.password}
system-type = ""
max-pending-submits = ${options.window}
msg-id-type = 0x01
log-level = 3

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = ${smsboxPort}
sendsms-port = ${sendsmsPort}
sendsms-interface = 127.0.0.1
log-level = 3
log-file = "${join(dir, 'smsbox.log')}"

group = sendsms-user
username = bench
password = bench
max-messages = 10
concatenation = true
`);
  const children: ChildProcess[] = [];
  const start = (bin: string) => {
    const child = spawn(bin, [conf], { stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(child);
    return child;
  };
  const stop = async () => {
    await Promise.all(children.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    })));
    rmSync(dir, { recursive: true, force: true });
  };
  // smsbox gives up at once if bearerbox is not listening yet: start it once bearerbox's SMSC is online.
  const deadline = Date.now() + 30_000;
  const until = async (what: string, ready: () => Promise<boolean>) => {
    while (!(await ready())) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Kannel did not come up: ${what}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  start(BEARERBOX);
  await until('bearerbox with its SMSC online', async () =>
    /online/.test(await request(`http://127.0.0.1:${adminPort}/status.txt?password=bench`).then((r) => r.body.text(), () => '')));
  start(SMSBOX);
  await until('smsbox answering sendsms', () =>
    request(`http://127.0.0.1:${sendsmsPort}/`).then((r) => r.body.dump().then(() => true), () => false));
  return {
    sendsms: `http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms?username=bench&password=bench`,
    cpuTimeMs: () => children.reduce((sum, child) => sum + (processCpuTimeMs(child.pid!) ?? NaN), 0),
    stop,
  };
}
