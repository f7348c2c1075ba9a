/**
 * What the simulated network does with each number, set at run time through
 * the control API. Misbehaviour is a feature: tests (ours and our users') ask
 * for a throttled SMSC or an unreachable phone by name.
 */
export const SMS_BEHAVIOURS = ['deliver', 'undeliverable', 'expired', 'absent', 'rejected', 'throttled', 'queue-full'] as const;
export type SmsBehaviour = (typeof SMS_BEHAVIOURS)[number];

/** What a number does when called: rings until the caller's Timeout unless a handset answers (default). */
export const VOICE_BEHAVIOURS = ['ring', 'answer', 'busy', 'no-answer', 'unreachable'] as const;
export type VoiceBehaviour = (typeof VOICE_BEHAVIOURS)[number];

export interface NumberBehaviour {
  sms: SmsBehaviour;
  /** Delay from accept to the delivery receipt, overriding the global one. */
  receiptDelayMs?: number;
  /** Calls to this number; `ring` when unset. */
  voice?: VoiceBehaviour;
  /** With voice `answer`: the network answers this long after ringing starts (default 0). */
  answerAfterMs?: number;
}

export interface NetworkSettings {
  /** Delay from accept to the delivery receipt. */
  receiptDelayMs: number;
  /** Global cap on submit_sm per second; above it the SMSC answers ESME_RTHROTTLED. 0 = no cap. */
  maxSubmitsPerSecond: number;
}

export const SMS_BEHAVIOUR_HELP: Record<SmsBehaviour, string> = {
  deliver: 'accepted, delivered to the handset, receipt stat DELIVRD',
  undeliverable: 'accepted, never reaches the handset, receipt stat UNDELIV',
  expired: 'accepted, validity runs out, receipt stat EXPIRED',
  absent: 'accepted, phone switched off (absent subscriber), receipt stat UNDELIV err 027',
  rejected: 'refused at submit with ESME_RINVDSTADR',
  throttled: 'refused at submit with ESME_RTHROTTLED',
  'queue-full': 'refused at submit with ESME_RMSGQFUL',
};

export const VOICE_BEHAVIOUR_HELP: Record<VoiceBehaviour, string> = {
  ring: 'rings (call.incoming to the handset) until a handset answers or rejects, or until the Timeout: no-answer',
  answer: 'rings, then answers by itself after answerAfterMs (a handset may answer first); runs the RCML without a socket',
  busy: 'ends busy at once, without ringing',
  'no-answer': 'rings until the Timeout whatever the handset does, then no-answer',
  unreachable: 'ends failed at once (phone off or out of coverage), without ringing',
};

export class Behaviours {
  readonly #numbers = new Map<string, NumberBehaviour>();
  settings: NetworkSettings;
  /** What a number without a behaviour of its own does (a scenario may change it). */
  defaults: NumberBehaviour = { sms: 'deliver' };
  /** The settings the network started with, for scenarios that go back to them. */
  readonly initialSettings: NetworkSettings;

  constructor(settings: Partial<NetworkSettings> = {}) {
    this.settings = { receiptDelayMs: 1_000, maxSubmitsPerSecond: 0, ...settings };
    this.initialSettings = { ...this.settings };
  }

  for(number: string): NumberBehaviour {
    return this.#numbers.get(number) ?? this.defaults;
  }

  receiptDelayFor(number: string): number {
    return this.for(number).receiptDelayMs ?? this.settings.receiptDelayMs;
  }

  set(number: string, behaviour: NumberBehaviour): void {
    this.#numbers.set(number, behaviour);
  }

  clear(number: string): boolean {
    return this.#numbers.delete(number);
  }

  reset(): void {
    this.#numbers.clear();
  }

  list(): Record<string, NumberBehaviour> {
    return Object.fromEntries(this.#numbers);
  }
}
