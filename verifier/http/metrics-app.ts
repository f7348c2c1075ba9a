import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { limitConnections, listenerServerOptions, type ListenerLimits } from '../../gateway/http/listener-limits';

export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * `PORT`, `HOST:PORT` or `[IPv6]:PORT` (`--metrics-listen`); the host defaults
 * to loopback, so metrics are not published by accident. Undefined when malformed.
 */
export function parseListenAddress(value: string): ListenAddress | undefined {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[\w.-]+):)?(\d{1,5})$/.exec(value.trim());
  if (!match) return undefined;
  const port = Number(match[2]);
  if (port > 65_535) return undefined;
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? '127.0.0.1', port };
}

/**
 * A listener of its own for Prometheus scrapers that cannot send credentials:
 * `/metrics` and `/healthz` only, without auth, with the same limits as the
 * API listener. Keep it on loopback or a private network.
 */
export function buildMetricsHttp(registry: Registry, listener: ListenerLimits): FastifyInstance {
  const app = Fastify({ ...listenerServerOptions(listener), logger: false });
  limitConnections(app.server, listener);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  return app;
}
