// The reference of the Verify benchmark: a bare fastify route that parses the same form body, checks the
// same Basic credentials, and answers a JSON object of the same shape, with no storage and no carrier.
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import formbody from '@fastify/formbody';
import { basicAuthMatches } from '../../gateway/auth/basic-auth';
import { serveUntilTold } from '../lib/server-entry';
import { BENCH_ACCOUNT_SID, BENCH_AUTH_TOKEN } from './bench-credentials';

await serveUntilTold(async () => {
  const app = Fastify({ logger: false });
  await app.register(formbody);
  const credentials = { accountSid: BENCH_ACCOUNT_SID, authToken: BENCH_AUTH_TOKEN };
  app.post<{ Params: { sid: string; resource: string }; Body: Record<string, string> }>('/v2/Services/:sid/:resource', async (request, reply) => {
    if (!basicAuthMatches(request.headers.authorization, credentials)) return reply.code(401).send({ code: 20003 });
    const now = new Date().toISOString();
    return reply.code(request.params.resource === 'Verifications' ? 201 : 200).send({
      sid: `VE${randomBytes(16).toString('hex')}`, service_sid: request.params.sid, account_sid: BENCH_ACCOUNT_SID,
      to: request.body['To'], channel: 'sms', status: 'pending', valid: false, date_created: now, date_updated: now,
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, stop: () => app.close() };
});
