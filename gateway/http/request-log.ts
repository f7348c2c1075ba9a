import { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';

/** A request that takes longer than this is logged at warn, whatever the log level. */
export const SLOW_REQUEST_MS = 1_000;

/** Fastify's own request lines are off (two synchronous info lines per request cost 8 % of a verification's CPU). */
export function quietRequests(): { logController: LogController } {
  return { logController: new LogController({ disableRequestLogging: true }) };
}

/**
 * Request lines at debug instead: `incoming request` and `request completed`
 * (status and time), as fastify writes them. At info and above a request is
 * logged only when it is slow (warn) or fails (error, where the error handler
 * answers it), so a busy server writes nothing per request that went well.
 */
export function logRequests(app: FastifyInstance, slowMs = SLOW_REQUEST_MS): void {
  // The level is fixed for the life of the process: no hook at all when debug lines could never be written.
  const log = app.log as FastifyBaseLogger & { isLevelEnabled?(level: string): boolean };
  if (log.isLevelEnabled?.('debug') ?? true) {
    app.addHook('onRequest', (request, _reply, done) => {
      request.log.debug({ req: request }, 'incoming request');
      done();
    });
  }
  app.addHook('onResponse', (request, reply, done) => {
    const responseTime = reply.elapsedTime;
    if (responseTime >= slowMs) request.log.warn({ req: request, statusCode: reply.statusCode, responseTime }, 'slow request');
    else request.log.debug({ statusCode: reply.statusCode, responseTime }, 'request completed');
    done();
  });
}
