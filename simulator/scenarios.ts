import type { Behaviours, NumberBehaviour, NetworkSettings } from './behaviours';

export interface Scenario {
  description: string;
  /** Defaults for every number without a behaviour of its own. */
  defaults: NumberBehaviour;
  /** Settings over the ones the network started with. */
  settings: Partial<NetworkSettings>;
}

/**
 * Named ways for the whole network to behave, switched at run time, after
 * Jasmin's test SMSC family and Mailpit's chaos: one call puts every number
 * without a behaviour of its own into that state. Per-number behaviours stay.
 */
export const SCENARIOS = {
  happy: { description: 'everything delivered, calls ring until answered; the settings the simulator started with', defaults: { sms: 'deliver' }, settings: {} },
  'auto-answer': { description: 'every call is answered by the network after 200 ms, for unattended voice tests', defaults: { sms: 'deliver', voice: 'answer', answerAfterMs: 200 }, settings: {} },
  congested: { description: 'the SMSC takes 2 submits per second and answers ESME_RTHROTTLED above that', defaults: { sms: 'deliver' }, settings: { maxSubmitsPerSecond: 2 } },
  'slow-receipts': { description: 'delivery receipts arrive 30 s after submit', defaults: { sms: 'deliver' }, settings: { receiptDelayMs: 30_000 } },
  'phones-off': { description: 'every phone is switched off: SMS stat UNDELIV err 027 (absent subscriber), calls fail unreachable', defaults: { sms: 'absent', voice: 'unreachable' }, settings: {} },
  outage: { description: 'the network delivers nothing: SMS stat UNDELIV, calls fail unreachable', defaults: { sms: 'undeliverable', voice: 'unreachable' }, settings: {} },
} satisfies Record<string, Scenario>;

export type ScenarioName = keyof typeof SCENARIOS;

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name);
}

export function applyScenario(behaviours: Behaviours, name: ScenarioName): void {
  const scenario: Scenario = SCENARIOS[name];
  behaviours.defaults = { ...scenario.defaults };
  behaviours.settings = { ...behaviours.initialSettings, ...scenario.settings };
}
