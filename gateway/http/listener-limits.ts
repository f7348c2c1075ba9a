import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Time and connection limits of an HTTP listener, so that slow or idle
 * clients cannot hold descriptors: a request must arrive whole within
 * `requestTimeoutMs` (its headers within `headersTimeoutMs`), whatever the
 * server answered meanwhile (a 401 does not end a trickling body).
 */
export interface ListenerLimits {
  /** Whole request (headers and body) must arrive within this, and a connection silent this long is closed; default 30 s. */
  requestTimeoutMs: number;
  /** Headers must arrive within this; default 20 s. Not above `requestTimeoutMs`. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this; default 5 s. */
  keepAliveTimeoutMs: number;
  /** How often Node looks for requests past their timeouts (its default, 30 s, adds up to 30 s to each); default 2 s. */
  checkIntervalMs: number;
  /** Connections beyond this are closed at once; default 10,000. */
  maxConnections: number;
}

export const DEFAULT_LISTENER_LIMITS: ListenerLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 2_000,
  maxConnections: 10_000,
};

/** The limits with defaults filled in, checked; a bad value throws naming the option. */
export function listenerLimits(given: Partial<ListenerLimits> = {}, optionName = 'listener'): ListenerLimits {
  const limits = { ...DEFAULT_LISTENER_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${optionName}.${name} must be a positive whole number, got ${value}`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new Error(`${optionName}.headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed ${optionName}.requestTimeoutMs (${limits.requestTimeoutMs})`);
  }
  return limits;
}

/** Fastify's server options for these limits (the checking interval can only be set when Node creates the server). */
export function listenerServerOptions(limits: ListenerLimits) {
  return {
    requestTimeout: limits.requestTimeoutMs,
    // Node's request timeout starts with the first byte: a connection that sends none is closed by inactivity.
    connectionTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
  };
}

/** The limit Node cannot take at creation: connections beyond the cap are closed at once. */
export function limitConnections(server: Server, limits: ListenerLimits): void {
  server.maxConnections = limits.maxConnections;
}

/**
 * For a listener that serves WebSockets: an upgraded socket leaves Node's HTTP
 * timeouts, so an upgrade that is refused (or never answered) would stay open
 * for good; it gets `requestTimeoutMs`, which the WebSocket library clears once
 * it takes the socket over. (Only there: with an `upgrade` listener Node hands
 * every `Upgrade:` request to it instead of answering it as plain HTTP.)
 */
export function limitUpgrades(server: Server, limits: ListenerLimits): void {
  server.on('upgrade', (_request, socket: Socket) => {
    socket.setTimeout(limits.requestTimeoutMs, () => socket.destroy());
  });
}
