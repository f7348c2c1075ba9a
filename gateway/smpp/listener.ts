import net from 'node:net';
import tls from 'node:tls';
import { SmppSession, type SmppSessionOptions } from './session';

export type ConnectionRefusal = 'too-many-connections' | 'too-many-from-address';

export interface SmppListenerOptions extends SmppSessionOptions {
  host?: string;
  port: number;
  /** PEM key and certificate: listen for SMPP over TLS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Open connections at most; one more is closed at once. Default: no cap. */
  maxConnections?: number;
  /** Open connections from one IP address at most. Default: no cap. */
  maxConnectionsPerAddress?: number;
  onSession(session: SmppSession): void;
  /** A connection over a cap, already closed. */
  onRefused?(address: string, reason: ConnectionRefusal): void;
}

/** Accepts SMPP connections and hands each one, as a typed session, to `onSession`. */
export class SmppListener {
  readonly #server: net.Server;
  readonly #sessions = new Set<SmppSession>();
  readonly #perAddress = new Map<string, number>();
  #open = 0;
  readonly #options: SmppListenerOptions;

  constructor(options: SmppListenerOptions) {
    this.#options = options;
    if (options.tls) {
      this.#server = tls.createServer(options.tls, (socket) => this.#accept(socket));
      // Counted as TCP connections, before their TLS handshake, so handshakes left hanging count too.
      this.#server.prependListener('connection', (socket: net.Socket) => this.#admit(socket));
    } else {
      this.#server = net.createServer((socket) => {
        if (this.#admit(socket)) this.#accept(socket);
      });
    }
  }

  /** Counts a new connection, or closes it when it would pass a cap. */
  #admit(socket: net.Socket): boolean {
    const address = socket.remoteAddress ?? '?';
    const refusal = this.#refusal(address);
    if (refusal) {
      socket.on('error', () => undefined);
      socket.destroy();
      this.#options.onRefused?.(address, refusal);
      return false;
    }
    this.#count(address, +1);
    socket.once('close', () => this.#count(address, -1));
    return true;
  }

  #accept(socket: net.Socket): void {
    if (socket.destroyed) return;
    socket.setNoDelay(true);
    const session = SmppSession.accept(socket, this.#options);
    this.#sessions.add(session);
    session.once('close', () => this.#sessions.delete(session));
    this.#options.onSession(session);
  }

  get sessions(): ReadonlySet<SmppSession> {
    return this.#sessions;
  }

  #refusal(address: string): ConnectionRefusal | undefined {
    if (this.#open >= (this.#options.maxConnections ?? Infinity)) return 'too-many-connections';
    if ((this.#perAddress.get(address) ?? 0) >= (this.#options.maxConnectionsPerAddress ?? Infinity)) return 'too-many-from-address';
    return undefined;
  }

  #count(address: string, delta: number): void {
    this.#open += delta;
    const count = (this.#perAddress.get(address) ?? 0) + delta;
    if (count > 0) this.#perAddress.set(address, count);
    else this.#perAddress.delete(address);
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#options.port, this.#options.host ?? '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops accepting and drops every open session. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const session of this.#sessions) session.destroy();
      this.#server.close(() => resolve());
    });
  }
}
