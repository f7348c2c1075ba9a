// A third-party ESME for tests, built directly on the `smpp` package as any user's would be.
import smpp from 'smpp';
import { waitFor } from './wait-for';

export type EsmePdu = Record<string, unknown> & { command: string; command_status: number; sequence_number: number };

interface PackageSession {
  on(event: string, listener: (arg: EsmePdu) => void): void;
  once(event: string, listener: (...args: unknown[]) => void): void;
  send(pdu: unknown, callback?: (pdu: EsmePdu) => void): boolean;
  close(): void;
  destroy(): void;
  socket: { destroyed: boolean; write(data: Buffer): void };
  [command: string]: unknown;
}

const { connect, PDU } = smpp as unknown as {
  connect(options: { host: string; port: number; localAddress?: string }): PackageSession;
  PDU: new (command: string, options?: Record<string, unknown>) => { response(options?: Record<string, unknown>): unknown };
};

export class TestEsme {
  readonly deliveries: EsmePdu[] = [];
  readonly unbinds: EsmePdu[] = [];
  closed = false;

  private constructor(private readonly session: PackageSession) {
    session.on('deliver_sm', (pdu) => {
      this.deliveries.push(pdu);
      session.send((pdu as unknown as { response(): unknown }).response());
    });
    session.on('unbind', (pdu) => {
      this.unbinds.push(pdu);
      session.send((pdu as unknown as { response(): unknown }).response());
    });
    session.on('error', () => undefined);
    session.once('close', () => { this.closed = true; });
  }

  /** `localAddress` (127.0.0.2, …) makes the ESME come from another source address. */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<TestEsme> {
    return new Promise((resolve, reject) => {
      const session = connect({ host, port, localAddress });
      session.once('error', (error) => reject(error as Error));
      session.once('connect', () => resolve(new TestEsme(session)));
    });
  }

  /** Sends `command` with `fields` and resolves with the response PDU. */
  request(command: string, fields: Record<string, unknown> = {}): Promise<EsmePdu> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to ${command}`)), 5_000);
      const sent = this.session.send(new PDU(command, fields), (pdu) => {
        clearTimeout(timer);
        resolve(pdu);
      });
      if (!sent) {
        clearTimeout(timer);
        reject(new Error(`could not send ${command}: socket closed`));
      }
    });
  }

  bind(mode: 'transmitter' | 'receiver' | 'transceiver', systemId = 'verigate', password = 'verigate'): Promise<EsmePdu> {
    return this.request(`bind_${mode}`, { system_id: systemId, password, interface_version: 0x34 });
  }

  submit(fields: Record<string, unknown>): Promise<EsmePdu> {
    return this.request('submit_sm', { source_addr: 'Acme', source_addr_ton: 5, dest_addr_ton: 1, dest_addr_npi: 1, ...fields });
  }

  writeRaw(bytes: Buffer): void {
    this.session.socket.write(bytes);
  }

  receipts(): EsmePdu[] {
    return this.deliveries.filter((d) => ((d['esm_class'] as number) & 0x3c) === 0x04);
  }

  waitForDeliveries(count: number, filter: (pdu: EsmePdu) => boolean = () => true, timeoutMs = 5_000): Promise<EsmePdu[]> {
    return waitFor(`${count} deliver_sm`, () => {
      const found = this.deliveries.filter(filter);
      return found.length >= count ? found : undefined;
    }, timeoutMs);
  }

  waitForClose(timeoutMs = 5_000): Promise<true> {
    return waitFor('the SMSC to close the connection', () => this.closed, timeoutMs);
  }

  close(): void {
    this.session.destroy();
  }
}
