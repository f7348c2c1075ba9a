/**
 * The small part of the `smpp` package the benchmarks use, typed. The bench
 * client and the bare reference server are built on the package directly, as
 * any third-party ESME or minimal SMSC would be; they never touch our session layer.
 */
import smpp from 'smpp';
import type { AddressInfo } from 'node:net';

export interface PackagePdu {
  command: string;
  command_status: number;
  sequence_number: number;
  esm_class?: number;
  message_id?: string;
  [field: string]: unknown;
  response(fields?: Record<string, unknown>): PackagePdu;
}

export interface PackageSession {
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'connect' | 'close', listener: () => void): this;
  on(event: string, listener: (pdu: PackagePdu) => void): this;
  once(event: 'error', listener: (error: Error) => void): this;
  once(event: 'connect' | 'close', listener: () => void): this;
  off(event: string, listener: (...args: never[]) => void): this;
  send(pdu: PackagePdu, onResponse?: (pdu: PackagePdu) => void): boolean;
  submit_sm(fields: Record<string, unknown>, onResponse: (pdu: PackagePdu) => void): boolean;
  deliver_sm(fields: Record<string, unknown>, onResponse: (pdu: PackagePdu) => void): boolean;
  bind_transceiver(fields: Record<string, unknown>, onResponse: (pdu: PackagePdu) => void): boolean;
  unbind(fields: Record<string, unknown>, onResponse: (pdu: PackagePdu) => void): boolean;
  close(): void;
  destroy(): void;
  socket: { destroyed: boolean; setNoDelay(noDelay?: boolean): unknown };
}

export interface PackageServer {
  listen(port: number, host: string, onListening: () => void): unknown;
  address(): AddressInfo | string | null;
  close(onClosed?: (error?: Error) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  sessions: PackageSession[];
}

const api = smpp as unknown as {
  connect(options: { host: string; port: number }): PackageSession;
  createServer(onSession: (session: PackageSession) => void): PackageServer;
};

export const connectSession = (options: { host: string; port: number }): PackageSession => api.connect(options);
export const createPackageServer = (onSession: (session: PackageSession) => void): PackageServer => api.createServer(onSession);

/** esm_class bits 2–5 = 0001: an SMSC delivery receipt. */
export function isDeliveryReceipt(pdu: PackagePdu): boolean {
  return ((pdu.esm_class ?? 0) & 0x3c) === 0x04;
}
