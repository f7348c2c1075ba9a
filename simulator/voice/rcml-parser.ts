import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { RcmlError } from './errors';

export type HttpMethod = 'GET' | 'POST';

export interface SayVerb { verb: 'Say'; text: string; voice: string; language: string; loop: number }
export interface PlayVerb { verb: 'Play'; url: string; loop: number }
export interface PauseVerb { verb: 'Pause'; lengthSeconds: number }
export type GatherPrompt = SayVerb | PlayVerb | PauseVerb;
export interface GatherVerb {
  verb: 'Gather';
  numDigits: number | undefined;
  timeoutSeconds: number;
  finishOnKey: string;
  /** Absolute; the current document's URL when the attribute is absent (as Twilio does). */
  action: string;
  method: HttpMethod;
  prompts: GatherPrompt[];
}
export interface HangupVerb { verb: 'Hangup' }
export interface RedirectVerb { verb: 'Redirect'; url: string; method: HttpMethod }
export interface RejectVerb { verb: 'Reject'; reason: 'busy' | 'rejected' }
export interface DialVerb { verb: 'Dial'; numbers: string[]; action: string | undefined; method: HttpMethod; timeoutSeconds: number; callerId: string | undefined }
export interface SmsVerb { verb: 'Sms'; text: string; to: string | undefined; from: string | undefined; action: string | undefined; method: HttpMethod }

export type Verb = GatherPrompt | GatherVerb | HangupVerb | RedirectVerb | RejectVerb | DialVerb | SmsVerb;

/** Largest document accepted, as Twilio's 64 KB limit. */
export const MAX_DOCUMENT_BYTES = 64 * 1024;
const MAX_LOOP = 100;
const MAX_PAUSE_SECONDS = 600;
const MAX_SMS_LENGTH = 1600;

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
});

/**
 * Parses an RCML (TwiML) document into its verbs, in document order. Relative
 * URLs are resolved against `documentUrl`. Throws RcmlError: 12100 when it is
 * not XML, 12102 when the root is not `<Response>`, 12101 for an unknown verb
 * or a verb nested where it may not be, 12200 for a bad attribute or content.
 */
export function parseRcml(text: string, documentUrl: string): Verb[] {
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) throw new RcmlError(12100, `document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
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
  if (roots.length > 1) throw new RcmlError(12102, `the document must have one root element <Response>, got ${roots.length} root elements`);
  if (!root || tagOf(root) !== 'Response') throw new RcmlError(12102, `the root element must be <Response>, got ${root ? `<${tagOf(root)}>` : 'none'}`);
  const ctx = new Context(documentUrl);
  return elements(root, 'Response').map((node) => ctx.verb(node));
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

/** Element children only; text directly inside a container verb is an error. */
function elements(node: XmlNode, where: string): XmlNode[] {
  const out: XmlNode[] = [];
  for (const child of childrenOf(node)) {
    if ('#text' in child) {
      if (String(child['#text']).trim() !== '') throw new RcmlError(12101, `<${where}> may not hold text directly`);
      continue;
    }
    out.push(child);
  }
  return out;
}

/** The text content of a leaf verb; any element inside it is wrong nesting. */
function textOf(node: XmlNode): string {
  const tag = tagOf(node);
  let text = '';
  for (const child of childrenOf(node)) {
    if (!('#text' in child)) throw new RcmlError(12101, `<${tagOf(child)}> is not allowed inside <${tag}>`);
    text += String(child['#text']);
  }
  return text.trim();
}

class Context {
  constructor(readonly documentUrl: string) {}

  verb(node: XmlNode): Verb {
    const tag = tagOf(node);
    const a = attributesOf(node);
    switch (tag) {
      case 'Say':
      case 'Play':
      case 'Pause':
        return this.prompt(node);
      case 'Gather': {
        const prompts = elements(node, 'Gather').map((child) => {
          const childTag = tagOf(child);
          if (childTag !== 'Say' && childTag !== 'Play' && childTag !== 'Pause') {
            throw new RcmlError(12101, `<${childTag}> is not allowed inside <Gather> (only Say, Play and Pause)`);
          }
          return this.prompt(child);
        });
        const finishOnKey = a['finishOnKey'] ?? '#';
        if (!/^[0-9*#]?$/.test(finishOnKey)) throw bad('Gather', 'finishOnKey', 'must be one of 0-9, * or #, or empty');
        return {
          verb: 'Gather',
          numDigits: a['numDigits'] === undefined ? undefined : integer('Gather', 'numDigits', a['numDigits'], 1, 64),
          timeoutSeconds: integer('Gather', 'timeout', a['timeout'] ?? '5', 0, 600),
          finishOnKey,
          action: this.url('Gather', 'action', a['action'] ?? this.documentUrl),
          method: method('Gather', a['method']),
          prompts,
        };
      }
      case 'Hangup':
        textOf(node);
        return { verb: 'Hangup' };
      case 'Redirect': {
        const target = textOf(node);
        if (!target) throw bad('Redirect', 'URL', 'is missing (put it inside the element)');
        return { verb: 'Redirect', url: this.url('Redirect', 'URL', target), method: method('Redirect', a['method']) };
      }
      case 'Reject': {
        textOf(node);
        const reason = a['reason'] ?? 'rejected';
        if (reason !== 'busy' && reason !== 'rejected') throw bad('Reject', 'reason', 'must be "busy" or "rejected"');
        return { verb: 'Reject', reason };
      }
      case 'Dial':
        return this.dial(node);
      case 'Sms': {
        const text = textOf(node);
        if (!text) throw bad('Sms', 'text', 'is missing');
        if (text.length > MAX_SMS_LENGTH) throw bad('Sms', 'text', `is longer than ${MAX_SMS_LENGTH} characters`);
        return {
          verb: 'Sms',
          text,
          to: a['to'],
          from: a['from'],
          action: a['action'] === undefined ? undefined : this.url('Sms', 'action', a['action']),
          method: method('Sms', a['method']),
        };
      }
      default:
        throw new RcmlError(12101, `unknown verb <${tag}>`);
    }
  }

  prompt(node: XmlNode): GatherPrompt {
    const tag = tagOf(node);
    const a = attributesOf(node);
    if (tag === 'Say') {
      const text = textOf(node);
      if (!text) throw bad('Say', 'text', 'is missing');
      return { verb: 'Say', text, voice: a['voice'] ?? 'man', language: a['language'] ?? 'en', loop: integer('Say', 'loop', a['loop'] ?? '1', 0, MAX_LOOP) };
    }
    if (tag === 'Play') {
      const target = textOf(node);
      if (!target) throw bad('Play', 'URL', 'is missing (put it inside the element)');
      return { verb: 'Play', url: this.url('Play', 'URL', target), loop: integer('Play', 'loop', a['loop'] ?? '1', 0, MAX_LOOP) };
    }
    textOf(node);
    return { verb: 'Pause', lengthSeconds: integer('Pause', 'length', a['length'] ?? '1', 0, MAX_PAUSE_SECONDS) };
  }

  dial(node: XmlNode): DialVerb {
    const a = attributesOf(node);
    const numbers: string[] = [];
    for (const child of childrenOf(node)) {
      if ('#text' in child) {
        const text = String(child['#text']).trim();
        if (text) numbers.push(phone('Dial', text));
        continue;
      }
      if (tagOf(child) !== 'Number') throw new RcmlError(12101, `<${tagOf(child)}> is not allowed inside <Dial> (only Number)`);
      numbers.push(phone('Number', textOf(child)));
    }
    if (numbers.length === 0) throw bad('Dial', 'number', 'is missing');
    return {
      verb: 'Dial',
      numbers,
      action: a['action'] === undefined ? undefined : this.url('Dial', 'action', a['action']),
      method: method('Dial', a['method']),
      timeoutSeconds: integer('Dial', 'timeout', a['timeout'] ?? '30', 1, 600),
      callerId: a['callerId'],
    };
  }

  url(verb: string, what: string, value: string): string {
    try {
      const resolved = new URL(value, this.documentUrl);
      if (resolved.protocol === 'http:' || resolved.protocol === 'https:') return resolved.toString();
    } catch {
      // fall through
    }
    throw bad(verb, what, `must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
}

function bad(verb: string, what: string, problem: string): RcmlError {
  return new RcmlError(12200, `<${verb}> ${what} ${problem}`);
}

function integer(verb: string, name: string, value: string, min: number, max: number): number {
  const n = /^\d{1,7}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw bad(verb, name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function method(verb: string, value: string | undefined): HttpMethod {
  const upper = (value ?? 'POST').toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') throw bad(verb, 'method', `must be GET or POST, got ${JSON.stringify(value)}`);
  return upper;
}

function phone(verb: string, value: string): string {
  const compact = value.replace(/[\s\-().]/g, '');
  const match = /^(?:\+|00)?(\d{3,15})$/.exec(compact);
  if (!match) throw bad(verb, 'number', `must be a phone number, got ${JSON.stringify(value)}`);
  return `+${match[1]}`;
}
