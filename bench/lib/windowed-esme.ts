/**
 * A windowed ESME on the `smpp` package: binds as a transceiver, keeps up to
 * `window` submit_sm outstanding, answers every deliver_sm, counts receipts,
 * and times the whole run. Bounded by a message count and a deadline.
 */
import { performance } from 'node:perf_hooks';
import { connectSession, isDeliveryReceipt, type PackagePdu, type PackageSession } from './smpp-api';

export interface WindowedRunOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  window: number;
  messages: number;
  /** Wait for a delivery receipt per message before the clock stops. */
  expectReceipts: boolean;
  /** The whole run (connect to last receipt) fails after this long. */
  timeoutMs: number;
}

export interface WindowedRunResult {
  messages: number;
  receipts: number;
  elapsedMs: number;
  /** Messages per second, from the first submit_sm to the last response or receipt awaited. */
  rate: number;
  /** CPU time this (client) process used over the same span, in ms. */
  clientCpuMs: number;
}

export class BenchRunError extends Error {
  override readonly name = 'BenchRunError';
  readonly code = 'BENCH_RUN_FAILED';
}

const submitFields = {
  source_addr_ton: 5,
  source_addr_npi: 0,
  source_addr: 'Verigate',
  dest_addr_ton: 1,
  dest_addr_npi: 1,
  destination_addr: '4915112345678',
  registered_delivery: 1,
  data_coding: 0,
  short_message: 'Your Verigate code is 482913. It expires in 10 minutes.',
};

export async function runWindowed(options: WindowedRunOptions): Promise<WindowedRunResult> {
  const session = connectSession({ host: options.host, port: options.port });
  let timer: NodeJS.Timeout | undefined;
  try {
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BenchRunError(`run did not finish within ${options.timeoutMs} ms`)), options.timeoutMs);
    });
    return await Promise.race([drive(session, options), deadline]);
  } finally {
    clearTimeout(timer);
    session.destroy();
  }
}

async function drive(session: PackageSession, options: WindowedRunOptions): Promise<WindowedRunResult> {
  let failure: Error | undefined;
  session.on('error', (error) => { failure = error; }); // A socket error ends in 'close', handled below.
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('close', () => reject(failure ?? new BenchRunError('connection closed before it was up')));
  });
  session.socket.setNoDelay(true);
  const bound = await respond(session, (done) => session.bind_transceiver({ system_id: options.systemId, password: options.password }, done));
  if (bound.command_status !== 0) throw new BenchRunError(`bind_transceiver refused with status 0x${bound.command_status.toString(16)}`);

  const result = await new Promise<WindowedRunResult>((resolve, reject) => {
    let sent = 0;
    let acked = 0;
    let receipts = 0;
    let finished = false;
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();

    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      session.off('deliver_sm', onDeliver);
      if (error) return reject(error);
      const elapsedMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuAtStart);
      resolve({ messages: acked, receipts, elapsedMs, rate: (acked * 1000) / elapsedMs, clientCpuMs: (cpu.user + cpu.system) / 1000 });
    };
    const maybeDone = () => {
      if (acked === options.messages && (!options.expectReceipts || receipts >= options.messages)) finish();
    };
    const onResponse = (pdu: PackagePdu) => {
      if (pdu.command_status !== 0) return finish(new BenchRunError(`submit_sm answered with status 0x${pdu.command_status.toString(16)}`));
      acked++;
      pump();
      maybeDone();
    };
    const onDeliver = (pdu: PackagePdu) => {
      session.send(pdu.response());
      if (isDeliveryReceipt(pdu)) receipts++;
      maybeDone();
    };
    const pump = () => {
      while (!finished && sent < options.messages && sent - acked < options.window) {
        sent++;
        if (!session.submit_sm(submitFields, onResponse)) return finish(new BenchRunError('connection closed during the run'));
      }
    };
    session.on('deliver_sm', onDeliver);
    session.once('close', () => finish(new BenchRunError(`connection closed after ${acked} responses and ${receipts} receipts`)));
    pump();
  });

  // Leave politely, but never wait long for it: the figures are already taken.
  await Promise.race([respond(session, (done) => session.unbind({}, done)), new Promise((r) => setTimeout(r, 1_000))]);
  return result;
}

function respond(session: PackageSession, send: (done: (pdu: PackagePdu) => void) => boolean): Promise<PackagePdu> {
  return new Promise((resolve, reject) => {
    if (!send(resolve)) reject(new BenchRunError('connection closed'));
  });
}
