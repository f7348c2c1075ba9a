/** Frames a handset may send (SPEC §5), checked before anything acts on them. */
export type HandsetFrame =
  | { type: 'sms.send'; to: string; text: string }
  | { type: 'call.answer'; callSid: string }
  | { type: 'call.reject'; callSid: string; reason: 'busy' | 'rejected' }
  | { type: 'call.dtmf'; callSid: string; digits: string }
  | { type: 'call.hangup'; callSid: string };

export class FrameError extends Error {
  override readonly name = 'FrameError';
  readonly code = 'HANDSET_BAD_FRAME';
}

const MAX_TEXT_LENGTH = 10_000;

function field(frame: Record<string, unknown>, name: string): string {
  const value = frame[name];
  if (typeof value !== 'string' || value.length === 0) throw new FrameError(`"${name}" must be a non-empty string`);
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
    case 'call.answer':
    case 'call.hangup':
      return { type: f['type'], callSid: field(f, 'callSid') };
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
      throw new FrameError(`unknown frame type ${JSON.stringify(f['type'] ?? null)}`);
  }
}
