import type { FastifyRequest } from 'fastify';
import { XMLBuilder } from 'fast-xml-parser';
import { API_PREFIX } from './call-record';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', suppressEmptyNode: false });

/** Lists and the element each of their items becomes, as Restcomm names them. */
const LISTS: Record<string, { list: string; item: string }> = {
  calls: { list: 'Calls', item: 'Call' },
  sms_messages: { list: 'SMSMessages', item: 'SMSMessage' },
  messages: { list: 'SMSMessages', item: 'SMSMessage' },
  notifications: { list: 'Notifications', item: 'Notification' },
  recordings: { list: 'Recordings', item: 'Recording' },
};
/** A single resource's element, by the prefix of its SID. */
const ITEMS: Record<string, string> = { CA: 'Call', RE: 'Recording', NO: 'Notification', SM: 'SMSMessage' };
const PAGING = ['page', 'num_pages', 'page_size', 'total', 'start', 'end', 'uri', 'first_page_uri', 'previous_page_uri', 'next_page_uri', 'last_page_uri'];

/**
 * Restcomm answers in XML unless the path ends in `.json`: a resource path
 * without it, asked by a client that does not say it accepts JSON, gets the
 * same body as `<RestcommResponse>` XML.
 */
export function wantsRestcommXml(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0] ?? '';
  if (!path.startsWith(`${API_PREFIX.restcomm}/`) || path.endsWith('.json')) return false;
  return !/application\/json/i.test(request.headers.accept ?? '');
}

const pascal = (key: string) => key.split('_').map((w) => (w === 'sms' ? 'SMS' : w.charAt(0).toUpperCase() + w.slice(1))).join('');

function elements(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(elements);
  if (typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [pascal(k), elements(v)]));
}

export function toRestcommXml(body: Record<string, unknown>): string {
  let content: Record<string, unknown>;
  const listKey = Object.keys(LISTS).find((key) => Array.isArray(body[key]));
  if (listKey) {
    const { list, item } = LISTS[listKey]!;
    const attributes = Object.fromEntries(PAGING.filter((k) => body[k] !== undefined).map((k) => [`@${k.replace(/_/g, '')}`, body[k] ?? '']));
    content = { [list]: { ...attributes, [item]: (body[listKey] as unknown[]).map(elements) } };
  } else if (typeof body['sid'] === 'string') {
    content = { [ITEMS[String(body['sid']).slice(0, 2)] ?? 'SMSMessage']: elements(body) };
  } else {
    content = { RestException: elements(body) };
  }
  return `<?xml version="1.0" encoding="UTF-8"?>${builder.build({ RestcommResponse: content })}`;
}
