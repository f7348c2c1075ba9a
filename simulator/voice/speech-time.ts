/**
 * How long the far end hears something, so that call durations and Gather
 * start times come out as on a real call. Estimates only: the simulator
 * synthesises no audio and does not download what `<Play>` names.
 */

/** Characters per second of text-to-speech at its normal rate (about 150 words a minute). */
const CHARACTERS_PER_SECOND = 14;
/** Twilio's legacy voices (`man`, `woman`) speak more slowly than the neural ones. */
const SLOW_VOICES = new Set(['man', 'woman']);
const SLOW_VOICE_FACTOR = 1.2;
/** A DTMF tone of `<Play digits>` or `sendDigits`, and the pause a `w` asks for. */
export const DIGIT_MS = 500;
/** What a `<Play>` of an audio file is taken to last: the file itself is never fetched. */
export const PLAY_MS = 1_000;

export function speechMs(text: string, voice: string): number {
  const letters = text.replace(/\s+/g, ' ').trim().length;
  if (letters === 0) return 0;
  const factor = SLOW_VOICES.has(voice) ? SLOW_VOICE_FACTOR : 1;
  return Math.max(300, Math.round((letters / CHARACTERS_PER_SECOND) * 1000 * factor));
}

export function digitsMs(digits: string): number {
  return digits.length * DIGIT_MS;
}
