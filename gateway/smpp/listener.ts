import net from 'node:net';
import tls from 'node:tls';
import { SmppSession, type SmppSessionOptions } from './session';

export interface SmppListenerOptions extends SmppSessionOptions {
  host?: string;
  port: number;
  /** PEM key and certificate: listen for SMPP over TLS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  onSession(session: SmppSession): void;
}

/** Accepts SMPP connections and hands each one, as a typed session, to `onSession`. */
export class SmppListener {
  readonly #server: net.Server;
  readonly #sessions = new Set<SmppSession>();
  readonly #options: SmppListenerOptions;

  constructor(options: SmppListenerOptions) {
    this.#options = options;
    const accept = (socket: net.Socket) => {
      socket.setNoDelay(true);
      const session = SmppSession.accept(socket, options);
      this.#sessions.add(session);
      session.once('close', () => this.#sessions.delete(session));
      options.onSession(session);
    };
    this.#server = options.tls ? tls.createServer(options.tls, accept) : net.createServer(accept);
  }

  get sessions(): ReadonlySet<SmppSession> {
    return this.#sessions;
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
