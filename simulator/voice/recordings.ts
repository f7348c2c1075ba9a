import { Readable } from 'node:stream';
import { API_VERSION, newSid, rfc2822, type CallRecord } from './call-record';
import type { RecordedPart } from './rcml-interpreter';

const MAX_RECORDINGS_KEPT = 10_000;
const SAMPLE_RATE = 8_000;
/** Length of each DTMF tone in a recording. */
const TONE_MS = 200;
/** Frequencies of the DTMF keys (row, column). */
const DTMF: Record<string, [number, number]> = {
  1: [697, 1209], 2: [697, 1336], 3: [697, 1477], 4: [770, 1209], 5: [770, 1336], 6: [770, 1477],
  7: [852, 1209], 8: [852, 1336], 9: [852, 1477], '*': [941, 1209], 0: [941, 1336], '#': [941, 1477],
};

export interface RecordingRecord {
  sid: string;
  accountSid: string;
  callSid: string;
  flavour: CallRecord['flavour'];
  /** Absolute, without extension, as Twilio gives RecordingUrl (add `.wav` to fetch the audio). */
  url: string;
  durationSeconds: number;
  parts: RecordedPart[];
  source: 'RecordVerb' | 'OutboundAPI';
  createdAt: number;
}

/**
 * What `<Record>` and `Record=true` took down. The audio is not the caller's
 * voice (the handset sends none): the WAV holds a tone for each stretch the
 * handset said it spoke and the DTMF tones it pressed, padded with silence to
 * the recording's duration, made when fetched.
 */
export class RecordingStore {
  readonly #recordings = new Map<string, RecordingRecord>();

  add(call: CallRecord, parts: RecordedPart[], durationSeconds: number, source: RecordingRecord['source'], now: number): RecordingRecord {
    const sid = newSid('RE');
    const prefix = call.flavour === 'restcomm' ? `/restcomm/${API_VERSION.restcomm}` : `/${API_VERSION.twilio}`;
    const record: RecordingRecord = {
      sid,
      accountSid: call.accountSid,
      callSid: call.sid,
      flavour: call.flavour,
      url: `${call.apiOrigin}${prefix}/Accounts/${call.accountSid}/Recordings/${sid}`,
      durationSeconds,
      parts,
      source,
      createdAt: now,
    };
    this.#recordings.set(sid, record);
    for (const old of this.#recordings.keys()) {
      if (this.#recordings.size <= MAX_RECORDINGS_KEPT) break;
      this.#recordings.delete(old);
    }
    return record;
  }

  get(sid: string): RecordingRecord | undefined {
    return this.#recordings.get(sid);
  }

  /** Newest first. */
  list(filter: { callSid?: string } = {}): RecordingRecord[] {
    return [...this.#recordings.values()].filter((r) => filter.callSid === undefined || r.callSid === filter.callSid).reverse();
  }
}

export function recordingJson(r: RecordingRecord) {
  const uri = new URL(r.url).pathname;
  return {
    sid: r.sid,
    account_sid: r.accountSid,
    call_sid: r.callSid,
    conference_sid: null,
    api_version: API_VERSION[r.flavour],
    date_created: rfc2822(r.createdAt),
    date_updated: rfc2822(r.createdAt),
    start_time: rfc2822(r.createdAt - r.durationSeconds * 1000),
    duration: String(r.durationSeconds),
    channels: 1,
    source: r.source,
    status: 'completed',
    price: null,
    price_unit: 'USD',
    error_code: null,
    media_url: `${r.url}.wav`,
    uri: `${uri}.json`,
  };
}

/** The recording as 8 kHz 16-bit mono PCM WAV, generated a second at a time. */
export function recordingWav(r: RecordingRecord): Readable {
  const totalSamples = r.durationSeconds * SAMPLE_RATE;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + totalSamples * 2, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(totalSamples * 2, 40);
  // Spans of [start, end) samples and what sounds there.
  const spans: { start: number; end: number; freqs: number[] }[] = [];
  let at = 0;
  for (const part of r.parts) {
    if (part.kind === 'audio') {
      const n = Math.round((part.ms / 1000) * SAMPLE_RATE);
      spans.push({ start: at, end: at + n, freqs: [440] });
      at += n;
    } else {
      for (const key of part.digits) {
        const n = (TONE_MS / 1000) * SAMPLE_RATE;
        spans.push({ start: at, end: at + n, freqs: DTMF[key] ?? [] });
        at += n;
      }
    }
  }
  function* chunks(): Generator<Buffer> {
    yield header;
    for (let start = 0; start < totalSamples; start += SAMPLE_RATE) {
      const end = Math.min(totalSamples, start + SAMPLE_RATE);
      const chunk = Buffer.alloc((end - start) * 2);
      for (const span of spans) {
        for (let i = Math.max(start, span.start); i < Math.min(end, span.end); i++) {
          let v = 0;
          for (const f of span.freqs) v += Math.sin((2 * Math.PI * f * i) / SAMPLE_RATE);
          chunk.writeInt16LE(Math.round((v / Math.max(1, span.freqs.length)) * 8_000), (i - start) * 2);
        }
      }
      yield chunk;
    }
  }
  return Readable.from(chunks());
}
