// Request lines: none per request at info (only slow or failed ones), both of fastify's at debug; over real HTTP.
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { logRequests, quietRequests } from '../../../../gateway/http/request-log';
import { createLogger } from '../../../../gateway/logging/logger';

const apps: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

async function serve(level: string, slowMs?: number): Promise<{ get(path: string): Promise<number>; lines: () => Record<string, unknown>[] }> {
  let output = '';
  const destination = new Writable({ write(chunk, _encoding, done) { output += chunk.toString(); done(); } });
  const app = Fastify({ ...quietRequests(), loggerInstance: createLogger({ level, destination }) as FastifyBaseLogger });
  apps.push(app);
  logRequests(app, slowMs);
  app.get('/ok', async () => ({ ok: true }));
  app.get('/boom', async () => { throw new Error('broken on purpose'); });
  // As the verifier's and the simulator's error handlers do: a failure is logged where it is answered.
  app.setErrorHandler((error, req, reply) => {
    req.log.error(error);
    return reply.code(500).send({ error: 'internal' });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return {
    get: async (path) => {
      const response = await request(`http://127.0.0.1:${port}${path}`);
      await response.body.dump();
      return response.statusCode;
    },
    lines: () => output.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('request logging', () => {
  it('writes nothing for a request that went well at info, and the error of one that failed', async () => {
    const server = await serve('info');
    expect(await server.get('/ok?n=1')).toBe(200);
    expect(await server.get('/boom')).toBe(500);
    const lines = server.lines();
    expect(lines.filter((l) => l['msg'] === 'incoming request' || l['msg'] === 'request completed')).toEqual([]);
    expect(lines.some((l) => l['level'] === 50 && JSON.stringify(l).includes('broken on purpose'))).toBe(true);
  });

  it('writes a slow request at warn with its URL, status and time', async () => {
    const server = await serve('info', 0);
    expect(await server.get('/ok?n=2')).toBe(200);
    const slow = server.lines().filter((l) => l['msg'] === 'slow request');
    expect(slow).toHaveLength(1);
    expect(slow[0]).toMatchObject({ level: 40, statusCode: 200, req: { method: 'GET', url: '/ok?n=2' } });
    expect(typeof slow[0]!['responseTime']).toBe('number');
  });

  it('writes both request lines at debug', async () => {
    const server = await serve('debug');
    expect(await server.get('/ok?n=3')).toBe(200);
    const lines = server.lines();
    expect(lines.find((l) => l['msg'] === 'incoming request')).toMatchObject({ level: 20, req: { url: '/ok?n=3' } });
    expect(lines.find((l) => l['msg'] === 'request completed')).toMatchObject({ level: 20, statusCode: 200 });
  });
});
