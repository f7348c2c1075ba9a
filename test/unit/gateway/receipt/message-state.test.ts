import { describe, it, expect } from 'vitest';
import { deliveryOutcome, MessageState, RECEIPT_STATS, stateForStat, statForState } from '../../../../gateway/receipt';

describe('MessageState', () => {
  it('uses the SMPP message_state numbers', () => {
    expect([
      MessageState.ENROUTE, MessageState.DELIVERED, MessageState.EXPIRED, MessageState.DELETED,
      MessageState.UNDELIVERABLE, MessageState.ACCEPTED, MessageState.UNKNOWN, MessageState.REJECTED,
    ]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('maps each state to its receipt stat and back', () => {
    expect(statForState(MessageState.DELIVERED)).toBe('DELIVRD');
    expect(statForState(MessageState.UNDELIVERABLE)).toBe('UNDELIV');
    expect(statForState(MessageState.ACCEPTED)).toBe('ACCEPTD');
    expect(statForState(MessageState.REJECTED)).toBe('REJECTD');
    for (const stat of RECEIPT_STATS) expect(statForState(stateForStat(stat))).toBe(stat);
  });

  it('reads stats regardless of case and spelled-out forms', () => {
    expect(stateForStat('delivrd')).toBe(MessageState.DELIVERED);
    expect(stateForStat('UNDELIVERABLE')).toBe(MessageState.UNDELIVERABLE);
    expect(stateForStat('whatever')).toBe(MessageState.UNKNOWN);
  });

  it('treats an out-of-range state number as UNKNOWN', () => {
    expect(statForState(42 as MessageState)).toBe('UNKNOWN');
  });
});

describe('deliveryOutcome', () => {
  it('classifies every stat by what it means for the sender', () => {
    expect(Object.fromEntries(RECEIPT_STATS.map((stat) => [stat, deliveryOutcome(stat)]))).toEqual({
      DELIVRD: 'delivered',
      EXPIRED: 'expired',
      DELETED: 'undelivered',
      UNDELIV: 'undelivered',
      ACCEPTD: 'pending',
      UNKNOWN: 'unknown',
      REJECTD: 'rejected',
      ENROUTE: 'pending',
    });
  });

  it('accepts a message_state number too', () => {
    expect(deliveryOutcome(MessageState.DELIVERED)).toBe('delivered');
    expect(deliveryOutcome(MessageState.REJECTED)).toBe('rejected');
  });

  it('calls unrecognised stats unknown', () => {
    expect(deliveryOutcome('ACKED')).toBe('unknown');
  });
});
