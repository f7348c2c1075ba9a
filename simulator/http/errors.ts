import type { FastifyReply } from 'fastify';

const codes: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  500: 'internal',
};

/** Every control-API error has one shape: `{ code, message, status }`. */
export function sendError(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).send({ code: codes[status] ?? 'error', message, status });
}
