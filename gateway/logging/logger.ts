import pino, { type DestinationStream, type Logger } from 'pino';
import { redactSecrets } from './redact';

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Object keys whose values are secrets wherever they sit in a logged object (URLs are redacted by text). */
const SECRET_KEYS = ['password', 'authToken', 'accessToken', 'token', 'secret', 'codeKey'];

/**
 * The process logger (pino, as fastify uses). Request lines show the method
 * and URL only; authorization headers and bodies are never serialized. Every
 * line passes through `redactSecrets` as it is written, so a URL that reaches
 * a log by any road (a request line, an error message, a webhook target) has
 * its credentials, tokens and codes replaced. A process that runs several
 * components creates it without `component` and gives each its own
 * `logger.child({ component })`: pino writes a key bound twice twice, so a
 * child must never rebind what its parent bound.
 */
export function createLogger(options: { level: string; component?: string; destination?: DestinationStream }): Logger {
  return pino({
    level: options.level,
    base: options.component ? { component: options.component } : {},
    serializers: {
      req: (request: LoggedRequest) => ({
        method: request.method,
        url: request.url,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
      err: pino.stdSerializers.err,
    },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`])], censor: '[redacted]' },
    hooks: { streamWrite: redactSecrets },
  }, options.destination ?? pino.destination(1));
}
