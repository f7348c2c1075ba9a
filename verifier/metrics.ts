import { Counter, type Registry } from 'prom-client';

export class VerifierMetrics {
  readonly started: Counter<'channel'>;
  readonly checks: Counter<'result'>;

  constructor(registry: Registry) {
    this.started = new Counter({ name: 'verigate_verifications_started_total', help: 'Verification starts (sends), by channel', labelNames: ['channel'], registers: [registry] });
    this.checks = new Counter({ name: 'verigate_verification_checks_total', help: 'Verification checks, by resulting status', labelNames: ['result'], registers: [registry] });
  }
}
