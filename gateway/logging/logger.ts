import pino, { type DestinationStream, type Logger } from 'pino';

/** Query parameters that carry secrets or codes; their values never reach a log line. */
const SECRET_PARAMS = /([?&](?:access_token|token|code|password|auth_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, '$1[redacted]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * The process logger (pino, as fastify uses). Request lines show the method and
 * a redacted URL only; authorization headers and bodies are never serialized.
 * A process that runs several components creates it without `component` and
 * gives each its own `logger.child({ component })`: pino writes a key bound
 * twice twice, so a child must never rebind what its parent bound.
 */
export function createLogger(options: { level: string; component?: string; destination?: DestinationStream }): Logger {
  return pino({
    level: options.level,
    base: options.component ? { component: options.component } : {},
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: redactUrl(request.url ?? ''),
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
      err: pino.stdSerializers.err,
    },
    redact: { paths: ['req.headers.authorization', '*.password', '*.authToken'], censor: '[redacted]' },
  }, options.destination ?? pino.destination(1));
}
