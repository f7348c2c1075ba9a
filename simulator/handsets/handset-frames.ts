import { VerigateError } from '../../gateway/errors';

/** Frames a handset may send (docs/simulator.md), checked before anything acts on them. */
export type HandsetFrame =
  | { type: 'sms.send'; to: string; text: string }
  | { type: 'call.answer'; callSid: string; answeredBy?: 'human' | 'machine' | 'fax' }
  | { type: 'call.reject'; callSid: string; reason: 'busy' | 'rejected' }
  | { type: 'call.dtmf'; callSid: string; digits: string }
  | { type: 'call.hangup'; callSid: string }
  | { type: 'call.speech'; callSid: string; text: string; confidence: number }
  | { type: 'call.audio'; callSid: string; seconds: number };

export class FrameError extends VerigateError {
  override readonly name = 'FrameError';
  readonly code = 'HANDSET_BAD_FRAME';
}

const MAX_TEXT_LENGTH = 10_000;
/** Numbers and call SIDs are short; anything longer is not one. */
const MAX_FIELD_LENGTH = 64;
/** An error frame quotes at most this much of what was wrong, never the whole frame. */
const MAX_QUOTE_LENGTH = 100;

/** `value` as JSON, cut to MAX_QUOTE_LENGTH characters: error frames stay small whatever a peer sends. */
export function quote(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length <= MAX_QUOTE_LENGTH ? json : `${json.slice(0, MAX_QUOTE_LENGTH)}…`;
}

function field(frame: Record<string, unknown>, name: string, maxLength = MAX_FIELD_LENGTH): string {
  const value = frame[name];
  if (typeof value !== 'string' || value.length === 0) throw new FrameError(`"${name}" must be a non-empty string`);
  if (value.length > maxLength) throw new FrameError(`"${name}" is longer than ${maxLength} characters`);
  return value;
}

export function parseHandsetFrame(data: string): HandsetFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    throw new FrameError('frame is not JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new FrameError('frame must be a JSON object');
  const f = frame as Record<string, unknown>;
  switch (f['type']) {
    case 'sms.send': {
      const text = f['text'];
      if (typeof text !== 'string' || text.length === 0) throw new FrameError('"text" must be a non-empty string');
      if (text.length > MAX_TEXT_LENGTH) throw new FrameError(`"text" is longer than ${MAX_TEXT_LENGTH} characters`);
      return { type: 'sms.send', to: field(f, 'to'), text };
    }
    case 'call.answer': {
      const answeredBy = f['answeredBy'];
      if (answeredBy === undefined) return { type: 'call.answer', callSid: field(f, 'callSid') };
      if (answeredBy !== 'human' && answeredBy !== 'machine' && answeredBy !== 'fax') throw new FrameError('"answeredBy" must be "human", "machine" or "fax"');
      return { type: 'call.answer', callSid: field(f, 'callSid'), answeredBy };
    }
    case 'call.hangup':
      return { type: 'call.hangup', callSid: field(f, 'callSid') };
    case 'call.speech': {
      const text = field(f, 'text', MAX_TEXT_LENGTH);
      const confidence = f['confidence'] ?? 0.9;
      if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) throw new FrameError('"confidence" must be a number from 0 to 1');
      return { type: 'call.speech', callSid: field(f, 'callSid'), text, confidence };
    }
    case 'call.audio': {
      const seconds = f['seconds'];
      if (typeof seconds !== 'number' || !(seconds > 0 && seconds <= 3600)) throw new FrameError('"seconds" must be a number above 0 and at most 3600');
      return { type: 'call.audio', callSid: field(f, 'callSid'), seconds };
    }
    case 'call.reject': {
      const reason = f['reason'] ?? 'rejected';
      if (reason !== 'busy' && reason !== 'rejected') throw new FrameError('"reason" must be "busy" or "rejected"');
      return { type: 'call.reject', callSid: field(f, 'callSid'), reason };
    }
    case 'call.dtmf': {
      const digits = field(f, 'digits');
      if (!/^[0-9*#]{1,64}$/.test(digits)) throw new FrameError('"digits" may hold only 0-9, * and #');
      return { type: 'call.dtmf', callSid: field(f, 'callSid'), digits };
    }
    default:
      throw new FrameError(`unknown frame type ${quote(f['type'] ?? null)}`);
  }
}
