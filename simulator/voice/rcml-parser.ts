import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RcmlError } from './errors';

export type HttpMethod = 'GET' | 'POST';

export interface SayVerb {
  verb: 'Say';
  /** What is spoken: the text, with the text of SSML children (`say-as`, `emphasis`, `sub` alias …). */
  text: string;
  voice: string;
  language: string;
  /** 0 is "until the call ends". */
  loop: number;
  /** Silence asked for by SSML `<break>`s, in ms. */
  breakMs: number;
}
export interface PlayVerb { verb: 'Play'; url: string | undefined; digits: string | undefined; loop: number }
export interface PauseVerb { verb: 'Pause'; lengthSeconds: number }
export type GatherPrompt = SayVerb | PlayVerb | PauseVerb;
export type GatherInput = 'dtmf' | 'speech';
export interface GatherVerb {
  verb: 'Gather';
  input: GatherInput[];
  numDigits: number | undefined;
  timeoutSeconds: number;
  finishOnKey: string;
  /** Absolute; the current document's URL when the attribute is absent (none for inline Twiml). */
  action: string | undefined;
  method: HttpMethod;
  actionOnEmptyResult: boolean;
  prompts: GatherPrompt[];
}
export interface HangupVerb { verb: 'Hangup' }
export interface RedirectVerb { verb: 'Redirect'; url: string; method: HttpMethod }
export interface RejectVerb { verb: 'Reject'; reason: 'busy' | 'rejected' }
export type DialTarget =
  | { kind: 'number'; number: string; sendDigits: string | undefined }
  | { kind: 'conference'; name: string; startConferenceOnEnter: boolean; endConferenceOnExit: boolean };
export interface DialVerb {
  verb: 'Dial';
  targets: DialTarget[];
  action: string | undefined;
  method: HttpMethod;
  timeoutSeconds: number;
  callerId: string | undefined;
  timeLimitSeconds: number;
}
export interface SmsVerb { verb: 'Sms'; text: string; to: string | undefined; from: string | undefined; action: string | undefined; method: HttpMethod }
export interface RecordVerb {
  verb: 'Record';
  action: string | undefined;
  method: HttpMethod;
  timeoutSeconds: number;
  maxLengthSeconds: number;
  finishOnKey: string;
  playBeep: boolean;
  recordingStatusCallback: string | undefined;
}

export type Verb = GatherPrompt | GatherVerb | HangupVerb | RedirectVerb | RejectVerb | DialVerb | SmsVerb | RecordVerb;

/** A problem Twilio logs as a warning (12200) and runs the document anyway: the element or attribute is skipped. */
export interface RcmlWarning { code: 12200; message: string }

export interface ParsedRcml { verbs: Verb[]; warnings: RcmlWarning[] }

/** Largest document accepted, as Twilio's 64 KB limit (11750 above it). */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
/** `loop="0"` repeats until the call ends; this many times at most. */
export const MAX_LOOP = 1000;
const MAX_PAUSE_SECONDS = 600;
const MAX_SMS_LENGTH = 1600;
const SPEECH_TIMEOUT_SECONDS = 5;

/** Verbs Twilio has that the simulator accepts and skips, with a warning. */
const SKIPPED_VERBS = new Set(['Enqueue', 'Leave', 'Connect', 'Start', 'Stop', 'Pay', 'Prompt', 'Refer', 'Echo', 'Queue']);
const SSML_TAGS = new Set(['break', 'emphasis', 'lang', 'p', 'phoneme', 'prosody', 's', 'say-as', 'sub', 'w', 'amazon:effect', 'amazon:domain']);

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  // Nothing here reads a tag's path: the parser need not build one as a string for every tag and attribute.
  jPath: false,
});

/**
 * Parses an RCML (TwiML) document into its verbs, in document order. Relative
 * URLs are resolved against `documentUrl` (none for inline `Twiml`). Throws
 * RcmlError 11750 when the document is too large and 12100 when it is not XML
 * or its root is not `<Response>`. Anything else Twilio would only warn about
 * — an unknown or wrong-case verb, wrong nesting, a bad attribute value — is
 * returned as a 12200 warning, and the element is skipped or the attribute
 * takes its default, so the call carries on as on Twilio.
 */
export function parseRcml(text: string, documentUrl: string | undefined): ParsedRcml {
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) throw new RcmlError(11750, `document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  if (text.trim() === '') throw new RcmlError(12100, 'document is empty');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new RcmlError(12100, `not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let nodes: XmlNode[];
  try {
    nodes = parser.parse(text) as XmlNode[];
  } catch (error) {
    throw new RcmlError(12100, `not well-formed XML: ${(error as Error).message}`);
  }
  const roots = nodes.filter((node) => !('?xml' in node) && !('#text' in node));
  const root = roots[0];
  if (roots.length > 1) throw new RcmlError(12100, `the document must have one root element <Response>, got ${roots.length} root elements`);
  if (!root || tagOf(root) !== 'Response') throw new RcmlError(12100, `the root element must be <Response>, got ${root ? `<${tagOf(root)}>` : 'none'}`);
  const ctx = new Context(documentUrl);
  const verbs: Verb[] = [];
  for (const node of ctx.elements(root, 'Response')) {
    const verb = ctx.verb(node);
    if (verb) verbs.push(verb);
  }
  return { verbs, warnings: ctx.warnings };
}

function tagOf(node: XmlNode): string {
  return Object.keys(node).find((key) => key !== ':@') ?? '';
}

function attributesOf(node: XmlNode): Record<string, string> {
  return (node[':@'] as Record<string, string> | undefined) ?? {};
}

function childrenOf(node: XmlNode): XmlNode[] {
  const children = node[tagOf(node)];
  return Array.isArray(children) ? (children as XmlNode[]) : [];
}

function isText(node: XmlNode): boolean {
  return '#text' in node;
}

class Context {
  readonly warnings: RcmlWarning[] = [];

  constructor(readonly documentUrl: string | undefined) {}

  warn(message: string): void {
    this.warnings.push({ code: 12200, message });
  }

  /** Element children; text directly inside a container verb is warned about and ignored. */
  elements(node: XmlNode, where: string): XmlNode[] {
    const out: XmlNode[] = [];
    for (const child of childrenOf(node)) {
      if (isText(child)) {
        if (String(child['#text']).trim() !== '') this.warn(`<${where}> may not hold text directly: ignored`);
        continue;
      }
      out.push(child);
    }
    return out;
  }

  /** The text content of a leaf verb; an element inside it is warned about and ignored. */
  textOf(node: XmlNode): string {
    const tag = tagOf(node);
    let text = '';
    for (const child of childrenOf(node)) {
      if (isText(child)) text += String(child['#text']);
      else this.warn(`<${tagOf(child)}> is not allowed inside <${tag}>: ignored`);
    }
    return text.trim();
  }

  verb(node: XmlNode): Verb | undefined {
    const tag = tagOf(node);
    const a = attributesOf(node);
    switch (tag) {
      case 'Say':
      case 'Play':
      case 'Pause':
        return this.prompt(node);
      case 'Gather':
        return this.gather(node);
      case 'Hangup':
        this.textOf(node);
        return { verb: 'Hangup' };
      case 'Redirect': {
        const target = this.url('Redirect', 'URL', this.textOf(node));
        if (!target) {
          this.warn('<Redirect> has no usable URL: skipped');
          return undefined;
        }
        return { verb: 'Redirect', url: target, method: this.method('Redirect', a['method']) };
      }
      case 'Reject': {
        this.textOf(node);
        return { verb: 'Reject', reason: this.oneOf('Reject', 'reason', a['reason'], ['rejected', 'busy'] as const, 'rejected') };
      }
      case 'Dial':
        return this.dial(node);
      case 'Sms':
      case 'Message':
        return this.sms(node);
      case 'Record':
        return this.record(node);
      default:
        if (SKIPPED_VERBS.has(tag)) this.warn(`<${tag}> is not simulated: skipped`);
        else this.warn(`unknown verb <${tag}> (verbs are case-sensitive): skipped`);
        return undefined;
    }
  }

  prompt(node: XmlNode): GatherPrompt | undefined {
    const tag = tagOf(node);
    const a = attributesOf(node);
    if (tag === 'Say') {
      const spoken = this.speech(node);
      if (!spoken.text && spoken.breakMs === 0) {
        this.warn('<Say> has no text: skipped');
        return undefined;
      }
      return {
        verb: 'Say',
        text: spoken.text,
        voice: a['voice'] ?? 'man',
        language: a['language'] ?? 'en',
        loop: this.integer('Say', 'loop', a['loop'], 1, 0, MAX_LOOP),
        breakMs: spoken.breakMs,
      };
    }
    if (tag === 'Play') {
      const loop = this.integer('Play', 'loop', a['loop'], 1, 0, MAX_LOOP);
      const digits = a['digits'];
      if (digits !== undefined) {
        if (/^[0-9*#wW]+$/.test(digits)) return { verb: 'Play', url: undefined, digits, loop };
        this.warn(`<Play> digits may hold only 0-9, *, # and w, got ${JSON.stringify(digits)}`);
      }
      const url = this.url('Play', 'URL', this.textOf(node));
      if (!url) {
        this.warn('<Play> has no usable URL or digits: skipped');
        return undefined;
      }
      return { verb: 'Play', url, digits: undefined, loop };
    }
    this.textOf(node);
    return { verb: 'Pause', lengthSeconds: this.integer('Pause', 'length', a['length'], 1, 0, MAX_PAUSE_SECONDS) };
  }

  /** The words of a `<Say>`, SSML children included, and the silence its `<break>`s ask for. */
  speech(node: XmlNode): { text: string; breakMs: number } {
    let breakMs = 0;
    const walk = (n: XmlNode): string => {
      let out = '';
      for (const child of childrenOf(n)) {
        if (isText(child)) {
          out += String(child['#text']);
          continue;
        }
        const tag = tagOf(child);
        const a = attributesOf(child);
        if (!SSML_TAGS.has(tag)) {
          this.warn(`<${tag}> is not allowed inside <Say>: its text is spoken`);
        }
        if (tag === 'break') {
          breakMs += breakLength(a);
          out += ' ';
        } else if (tag === 'sub' && a['alias'] !== undefined) {
          out += a['alias'];
        } else {
          out += ` ${walk(child)} `;
        }
      }
      return out;
    };
    const text = walk(node).replace(/\s+/g, ' ').trim();
    return { text, breakMs };
  }

  gather(node: XmlNode): GatherVerb {
    const a = attributesOf(node);
    const prompts: GatherPrompt[] = [];
    for (const child of this.elements(node, 'Gather')) {
      const childTag = tagOf(child);
      if (childTag !== 'Say' && childTag !== 'Play' && childTag !== 'Pause') {
        this.warn(`<${childTag}> is not allowed inside <Gather> (only Say, Play and Pause): skipped`);
        continue;
      }
      const prompt = this.prompt(child);
      if (prompt) prompts.push(prompt);
    }
    let finishOnKey = a['finishOnKey'] ?? '#';
    if (!/^[0-9*#]?$/.test(finishOnKey)) {
      this.warn(`<Gather> finishOnKey must be one of 0-9, * or #, or empty, got ${JSON.stringify(finishOnKey)}: using #`);
      finishOnKey = '#';
    }
    const inputs = (a['input'] ?? 'dtmf').toLowerCase().split(/\s+/).filter((i) => i !== '');
    let input = inputs.filter((i): i is GatherInput => i === 'dtmf' || i === 'speech');
    if (input.length !== inputs.length || input.length === 0) {
      this.warn(`<Gather> input must be dtmf, speech or "dtmf speech", got ${JSON.stringify(a['input'])}: using dtmf`);
      input = ['dtmf'];
    }
    const speechTimeout = a['speechTimeout'];
    const timeoutDefault = input.includes('speech') && speechTimeout !== undefined && speechTimeout !== 'auto' ? speechTimeout : undefined;
    return {
      verb: 'Gather',
      input,
      numDigits: a['numDigits'] === undefined ? undefined : this.integer('Gather', 'numDigits', a['numDigits'], undefined, 1, 64),
      timeoutSeconds: this.integer('Gather', 'timeout', a['timeout'] ?? timeoutDefault, input.includes('speech') ? SPEECH_TIMEOUT_SECONDS : 5, 0, 600),
      finishOnKey,
      action: a['action'] === undefined ? this.documentUrl : (this.url('Gather', 'action', a['action']) ?? this.documentUrl),
      method: this.method('Gather', a['method']),
      actionOnEmptyResult: this.boolean('Gather', 'actionOnEmptyResult', a['actionOnEmptyResult'], false),
      prompts,
    };
  }

  dial(node: XmlNode): DialVerb | undefined {
    const a = attributesOf(node);
    const targets: DialTarget[] = [];
    for (const child of childrenOf(node)) {
      if (isText(child)) {
        const text = String(child['#text']).trim();
        const number = text && this.phone('Dial', text);
        if (number) targets.push({ kind: 'number', number, sendDigits: undefined });
        continue;
      }
      const tag = tagOf(child);
      const ca = attributesOf(child);
      if (tag === 'Number') {
        const number = this.phone('Number', this.textOf(child));
        const sendDigits = ca['sendDigits'];
        if (sendDigits !== undefined && !/^[0-9*#wW]+$/.test(sendDigits)) this.warn(`<Number> sendDigits may hold only 0-9, *, # and w: ignored`);
        if (number) targets.push({ kind: 'number', number, sendDigits: sendDigits !== undefined && /^[0-9*#wW]+$/.test(sendDigits) ? sendDigits : undefined });
      } else if (tag === 'Conference') {
        const name = this.textOf(child);
        if (!name) this.warn('<Conference> has no name: skipped');
        else targets.push({
          kind: 'conference',
          name,
          startConferenceOnEnter: this.boolean('Conference', 'startConferenceOnEnter', ca['startConferenceOnEnter'], true),
          endConferenceOnExit: this.boolean('Conference', 'endConferenceOnExit', ca['endConferenceOnExit'], false),
        });
      } else if (tag === 'Client' || tag === 'Sip' || tag === 'Queue' || tag === 'Sim' || tag === 'Application' || tag === 'WhatsApp') {
        this.warn(`<Dial><${tag}> is not simulated: skipped`);
      } else {
        this.warn(`<${tag}> is not allowed inside <Dial>: skipped`);
      }
    }
    if (targets.length === 0) {
      this.warn('<Dial> has nothing to dial: skipped');
      return undefined;
    }
    if (targets.some((t) => t.kind === 'conference') && targets.length > 1) {
      this.warn('<Dial> may hold one <Conference> and nothing else: only the first target is used');
      targets.splice(1);
    }
    return {
      verb: 'Dial',
      targets,
      action: a['action'] === undefined ? undefined : this.url('Dial', 'action', a['action']),
      method: this.method('Dial', a['method']),
      timeoutSeconds: this.integer('Dial', 'timeout', a['timeout'], 30, 1, 600),
      callerId: a['callerId'],
      timeLimitSeconds: this.integer('Dial', 'timeLimit', a['timeLimit'], 14_400, 1, 14_400),
    };
  }

  sms(node: XmlNode): SmsVerb | undefined {
    const tag = tagOf(node);
    const a = attributesOf(node);
    let text: string;
    if (tag === 'Message') {
      // <Message> holds its text directly or in <Body>; <Media> is not carried by a voice call.
      text = '';
      for (const child of childrenOf(node)) {
        if (isText(child)) text += String(child['#text']);
        else if (tagOf(child) === 'Body') text += this.textOf(child);
        else this.warn(`<${tagOf(child)}> inside <Message> is not simulated in a call: ignored`);
      }
      text = text.trim();
    } else {
      text = this.textOf(node);
    }
    if (!text) {
      this.warn(`<${tag}> has no text: skipped`);
      return undefined;
    }
    if (text.length > MAX_SMS_LENGTH) {
      this.warn(`<${tag}> text is longer than ${MAX_SMS_LENGTH} characters: skipped`);
      return undefined;
    }
    return {
      verb: 'Sms',
      text,
      to: a['to'],
      from: a['from'],
      action: a['action'] === undefined ? undefined : this.url(tag, 'action', a['action']),
      method: this.method(tag, a['method']),
    };
  }

  record(node: XmlNode): RecordVerb {
    const a = attributesOf(node);
    this.textOf(node);
    let finishOnKey = a['finishOnKey'] ?? '1234567890*#';
    if (!/^[0-9*#]*$/.test(finishOnKey)) {
      this.warn(`<Record> finishOnKey may hold only 0-9, * and #: using the default`);
      finishOnKey = '1234567890*#';
    }
    return {
      verb: 'Record',
      action: a['action'] === undefined ? this.documentUrl : (this.url('Record', 'action', a['action']) ?? this.documentUrl),
      method: this.method('Record', a['method']),
      timeoutSeconds: this.integer('Record', 'timeout', a['timeout'], 5, 0, 600),
      maxLengthSeconds: this.integer('Record', 'maxLength', a['maxLength'], 3600, 1, 14_400),
      finishOnKey,
      playBeep: this.boolean('Record', 'playBeep', a['playBeep'], true),
      recordingStatusCallback: a['recordingStatusCallback'] === undefined ? undefined : this.url('Record', 'recordingStatusCallback', a['recordingStatusCallback']),
    };
  }

  /** An absolute http(s) URL, or undefined with a warning. */
  url(verb: string, what: string, value: string): string | undefined {
    if (!value) return undefined;
    try {
      const resolved = new URL(value, this.documentUrl);
      if (resolved.protocol === 'http:' || resolved.protocol === 'https:') return resolved.toString();
    } catch {
      // fall through
    }
    this.warn(`<${verb}> ${what} must be an http(s) URL${this.documentUrl ? '' : ' (inline Twiml has no base for relative ones)'}, got ${JSON.stringify(value)}`);
    return undefined;
  }

  integer<D extends number | undefined>(verb: string, name: string, value: string | undefined, fallback: D, min: number, max: number): number | D {
    if (value === undefined) return fallback;
    const n = /^\d{1,7}$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    this.warn(`<${verb}> ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}: using ${fallback ?? 'none'}`);
    return fallback;
  }

  boolean(verb: string, name: string, value: string | undefined, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (value === 'true' || value === 'false') return value === 'true';
    this.warn(`<${verb}> ${name} must be true or false, got ${JSON.stringify(value)}: using ${fallback}`);
    return fallback;
  }

  oneOf<T extends string>(verb: string, name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.warn(`<${verb}> ${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}: using ${fallback}`);
    return fallback;
  }

  method(verb: string, value: string | undefined): HttpMethod {
    const upper = (value ?? 'POST').toUpperCase();
    if (upper === 'GET' || upper === 'POST') return upper;
    this.warn(`<${verb}> method must be GET or POST, got ${JSON.stringify(value)}: using POST`);
    return 'POST';
  }

  phone(verb: string, value: string): string | undefined {
    const compact = value.replace(/[\s\-().]/g, '');
    const match = /^(?:\+|00)?(\d{3,15})$/.exec(compact);
    if (match) return `+${match[1]}`;
    this.warn(`<${verb}> must hold a phone number, got ${JSON.stringify(value)}: skipped`);
    return undefined;
  }
}

/** SSML `<break time="500ms|2s" strength="…">` as milliseconds. */
function breakLength(a: Record<string, string>): number {
  const time = /^(\d{1,5})(ms|s)$/.exec(a['time'] ?? '');
  if (time) return Math.min(10_000, Number(time[1]) * (time[2] === 's' ? 1000 : 1));
  const strengths: Record<string, number> = { none: 0, 'x-weak': 100, weak: 250, medium: 500, strong: 750, 'x-strong': 1000 };
  return strengths[a['strength'] ?? 'medium'] ?? 500;
}
