import { VerigateError } from '../errors';
import { parseMessageIdType, type MessageIdType } from '../receipt/message-id';

/** Where and how to bind: parsed from `smpp://SYSTEM_ID:PASSWORD@HOST:PORT?…` (`ssmpp://` for TLS). */
export interface SmppEndpoint {
  host: string;
  port: number;
  tls: boolean;
  systemId: string;
  password: string;
  systemType: string;
  /** One transceiver, or a transmitter and a receiver. */
  mode: 'transceiver' | 'transmitter-receiver';
  windowSize: number;
  /** Submits per second; 0 = no cap. */
  maxPerSecond: number;
  /** Source address when a message names none, and its TON/NPI (derived from its form when not given). */
  sourceAddr?: string;
  sourceTon?: number;
  sourceNpi?: number;
  /** 'udh': concatenated parts; 'payload': one submit_sm with message_payload. */
  segmentation: 'udh' | 'payload';
  /** How the SMSC writes message ids in submit_sm_resp and receipts (see receipt/message-id.ts). */
  msgIdType: MessageIdType;
}

export class SmppEndpointError extends VerigateError {
  override readonly name = 'SmppEndpointError';
  readonly code = 'SMPP_ENDPOINT_INVALID';
}

const QUERY_KEYS = new Set(['system_type', 'mode', 'window', 'tps', 'source', 'source_ton', 'source_npi', 'segmentation', 'msg_id_type']);

function integer(name: string, raw: string, min: number, max: number): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new SmppEndpointError(`${name} must be a whole number in ${min}..${max}, got "${raw}"`);
  return value;
}

/**
 * Parses an SMPP URL. Options ride in the query: `system_type`, `mode`
 * (`trx` | `tx-rx`), `window` (outstanding submits), `tps` (submits/s),
 * `source`, `source_ton`, `source_npi`, `segmentation` (`udh` | `payload`),
 * `msg_id_type` (`string` | 0–3, as Kannel's msg-id-type).
 */
export function parseSmppUrl(text: string): SmppEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SmppEndpointError(`not a URL: expected smpp://SYSTEM_ID:PASSWORD@HOST:PORT`);
  }
  if (url.protocol !== 'smpp:' && url.protocol !== 'ssmpp:') throw new SmppEndpointError(`scheme must be smpp:// or ssmpp://, got ${url.protocol}//`);
  if (!url.hostname) throw new SmppEndpointError('the host is missing');
  if (!url.username) throw new SmppEndpointError('the system_id (user part of the URL) is missing');
  const tls = url.protocol === 'ssmpp:';
  const q = url.searchParams;
  for (const key of q.keys()) {
    if (!QUERY_KEYS.has(key)) throw new SmppEndpointError(`unknown option "${key}" (known: ${[...QUERY_KEYS].join(', ')})`);
  }
  const mode = q.get('mode') ?? 'trx';
  if (mode !== 'trx' && mode !== 'tx-rx') throw new SmppEndpointError(`mode must be "trx" or "tx-rx", got "${mode}"`);
  const segmentation = q.get('segmentation') ?? 'udh';
  if (segmentation !== 'udh' && segmentation !== 'payload') throw new SmppEndpointError(`segmentation must be "udh" or "payload", got "${segmentation}"`);
  const msgIdType = parseMessageIdType(q.get('msg_id_type') ?? 'string');
  if (msgIdType === undefined) throw new SmppEndpointError(`msg_id_type must be "string" or 0..3 (Kannel's msg-id-type), got "${q.get('msg_id_type')}"`);
  const systemId = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (systemId.length > 15) throw new SmppEndpointError('system_id is longer than 15 characters (SMPP 3.4 limit)');
  if (password.length > 8) throw new SmppEndpointError('password is longer than 8 characters (SMPP 3.4 limit)');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? integer('port', url.port, 1, 65535) : tls ? 3550 : 2775,
    tls,
    systemId,
    password,
    systemType: q.get('system_type') ?? '',
    mode: mode === 'trx' ? 'transceiver' : 'transmitter-receiver',
    windowSize: q.has('window') ? integer('window', q.get('window')!, 1, 1000) : 10,
    maxPerSecond: q.has('tps') ? integer('tps', q.get('tps')!, 0, 100_000) : 0,
    sourceAddr: q.get('source') ?? undefined,
    sourceTon: q.has('source_ton') ? integer('source_ton', q.get('source_ton')!, 0, 6) : undefined,
    sourceNpi: q.has('source_npi') ? integer('source_npi', q.get('source_npi')!, 0, 18) : undefined,
    segmentation,
    msgIdType,
  };
}

/** The URL with the password hidden, for banners and logs. */
export function describeEndpoint(endpoint: SmppEndpoint): string {
  return `${endpoint.tls ? 'ssmpp' : 'smpp'}://${endpoint.systemId}:***@${endpoint.host}:${endpoint.port}`;
}
