/**
 * Parameter names whose values never reach a log line. A name is compared
 * after percent-decoding, in lower case and without `_`, `-` and `.`, because
 * a server decodes it before reading it: `access%5Ftoken`, `Access-Token` and
 * `ACCESS_TOKEN` are the same parameter to a careless parser, so they are the
 * same secret here. Deliberately broad: a redacted harmless value costs less
 * than a leaked credential or code.
 */
const SECRET_PARAMETERS = new Set([
  // credentials
  'accesstoken', 'token', 'authtoken', 'idtoken', 'refreshtoken', 'sessiontoken', 'jwt', 'bearer',
  'password', 'passwd', 'pwd', 'pass', 'secret', 'clientsecret', 'apikey', 'apisecret', 'key',
  'auth', 'authorization', 'credential', 'credentials', 'signature', 'sig', 'xtwiliosignature',
  // codes (Verify's `Code`, `CustomCode`, and the usual names of one-time codes)
  'code', 'customcode', 'otp', 'pin', 'passcode', 'verificationcode',
]);

/**
 * Path segments that follow these pairs are secret: the token that opens a
 * voice call's RCML (`/v2/voice/rcml/{token}`, `/v2/voice/flash/{token}`).
 */
const SECRET_AFTER: [string, string][] = [['voice', 'rcml'], ['voice', 'flash']];

export const REDACTED = '[redacted]';

/** Characters that end a URL inside free text or a JSON log line. */
const END = `\\s"'<>\\\\`;
// The password may hold a raw `#` or `?` when a URL is echoed as typed: better to hide too much than too little.
const USERINFO = new RegExp(`://([^/?#:@${END}]*):([^/${END}]*)@`, 'g');
// A value runs to `&` as the server's parser reads it (`;` is no separator to it, so it stays in the value).
const PARAMETER = new RegExp(`(^|[?&;${END}(,])([^=&;?#${END}]+)=([^&#${END}]*)`, 'g');
const PATH = new RegExp(`(?:/[^/?#${END}]*)+`, 'g');

function decoded(text: string): string {
  let current = text;
  // A few rounds: a server decodes once, but a proxy in front of it may decode again.
  for (let round = 0; round < 3; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/g, ' '));
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

const normalised = (name: string): string => decoded(name).toLowerCase().replace(/[\s_.-]/g, '');

export function isSecretParameter(name: string): boolean {
  return SECRET_PARAMETERS.has(normalised(name));
}

const SECRET_AFTER_NAMES = new Set(SECRET_AFTER.map(([, b]) => b));
/** Lines that cannot hold such a path skip the path scan. */
const MAYBE_SECRET_PATH = new RegExp(`${[...SECRET_AFTER_NAMES].join('|')}|%`, 'i');

/** A path segment as the router matches it: decoded (only when it needs to be: this runs on every log line). */
const segmentName = (segment: string): string => (segment.includes('%') ? decoded(segment) : segment).toLowerCase();

function redactPath(path: string): string {
  const segments = path.split('/');
  if (segments.length < 4) return path;
  let changed = false;
  for (let i = 2; i < segments.length; i++) {
    if (!segments[i]) continue;
    const before = segmentName(segments[i - 1]!);
    if (!SECRET_AFTER_NAMES.has(before)) continue;
    const first = segmentName(segments[i - 2]!);
    if (SECRET_AFTER.some(([a, b]) => first === a && before === b)) {
      segments[i] = REDACTED;
      changed = true;
    }
  }
  return changed ? segments.join('/') : path;
}

/**
 * The one redaction every log line, error message and banner goes through:
 * in `text` (a URL, a sentence holding URLs, or a whole JSON log line) it
 * replaces the password of `scheme://user:password@`, the value of every
 * secret query or form parameter (by decoded name, any case), and the secret
 * path segments of voice-call URLs, with `[redacted]`. Everything else stays,
 * so a log line still says which request it was.
 */
export function redactSecrets(text: string): string {
  let result = text;
  if (result.includes('@')) result = result.replace(USERINFO, (_all, user: string) => `://${user}:${REDACTED}@`);
  if (result.includes('=')) result = result.replace(PARAMETER, (all, lead: string, name: string) => (isSecretParameter(name) ? `${lead}${name}=${REDACTED}` : all));
  return MAYBE_SECRET_PATH.test(result) ? result.replace(PATH, redactPath) : result;
}
