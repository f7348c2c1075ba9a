import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Clock } from '../../gateway/clock';
import type { HandsetHub } from '../handsets/handset-hub';
import { FrameError, parseHandsetFrame, type HandsetFrame } from '../handsets/handset-frames';
import type { MessageCenter } from '../message-center';
import { normaliseAddress, parseHandsetNumber } from '../numbers';
import { sendError } from './errors';
import { MessageBucket, type MessageRate } from './message-rate';

/** Call frames go to the voice network, when there is one. */
export type CallFrameHandler = (number: string, frame: Exclude<HandsetFrame, { type: 'sms.send' }>) => void;

export interface HandsetSocketDeps {
  hub: HandsetHub;
  center: MessageCenter;
  onCallFrame?: CallFrameHandler;
  /** A socket for `number` opened: the voice network offers it the calls ringing there. */
  onHandsetConnected?: (number: string, send: (frame: object) => void) => void;
  clock: Clock;
  /** What one socket may send; over it, one error frame and close 1008. */
  messageRate: MessageRate;
}

/** ws closes a frame over this with 1009 before it is buffered whole. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** `ws://HOST:SIM_PORT/ws/handsets/{number}`: one virtual phone per socket (docs/simulator.md). */
export function registerHandsetSocket(app: FastifyInstance, deps: HandsetSocketDeps): void {
  app.get<{ Params: { number: string } }>('/ws/handsets/:number', {
    websocket: true,
    preValidation: async (request, reply) => {
      if (!parseHandsetNumber(request.params.number)) return sendError(reply, 400, 'number must be E.164 digits, "+" optional');
    },
  }, (socket: WebSocket, request) => {
    const number = parseHandsetNumber(request.params.number)!;
    const detach = deps.hub.attach(number, socket);
    socket.on('close', detach);
    socket.on('error', () => socket.terminate());
    const bucket = new MessageBucket(deps.messageRate, deps.clock);
    socket.on('message', (data, isBinary) => {
      if (socket.readyState !== socket.OPEN) return;
      const reply = (frame: object) => socket.send(JSON.stringify(frame));
      if (!bucket.take()) {
        reply({ type: 'error', message: `more than ${deps.messageRate.perSecond} frames per second (burst ${deps.messageRate.burst}): closing` });
        return socket.close(1008, 'message rate exceeded');
      }
      if (isBinary) return reply({ type: 'error', message: 'frames must be JSON text' });
      try {
        const frame = parseHandsetFrame(data.toString());
        if (frame.type === 'sms.send') {
          const message = deps.center.sendFromHandset(number, normaliseAddress(frame.to), frame.text);
          reply({ type: 'sms.sent', id: message.id, to: message.destination });
        } else if (deps.onCallFrame) {
          deps.onCallFrame(number, frame);
        } else {
          reply({ type: 'error', message: `no call ${frame.callSid}` });
        }
      } catch (error) {
        if (!(error instanceof FrameError)) request.log.error(error);
        reply({ type: 'error', message: error instanceof FrameError ? error.message : 'internal error' });
      }
    });
    deps.center.flushInbox(number);
    deps.onHandsetConnected?.(number, (frame) => socket.send(JSON.stringify(frame)));
  });
}
