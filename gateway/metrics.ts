import { Counter, Gauge, Registry } from 'prom-client';

/** The gateway's Prometheus metrics; the verifier serves the registry on /metrics. */
export class GatewayMetrics {
  readonly registry: Registry;
  readonly submitted: Counter<'route'>;
  readonly acknowledged: Counter<'route'>;
  readonly delivered: Counter<'outcome'>;
  readonly failed: Counter<'route'>;
  readonly retried: Counter<'route'>;
  readonly expired: Counter;
  readonly mobileOriginated: Counter;
  readonly windowInUse: Gauge;
  readonly linkUp: Gauge;

  constructor(registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.submitted = new Counter({ name: 'verigate_gateway_submitted_total', help: 'Outbox items handed to a route', labelNames: ['route'], registers });
    this.acknowledged = new Counter({ name: 'verigate_gateway_acknowledged_total', help: 'Outbox items the carrier accepted', labelNames: ['route'], registers });
    this.delivered = new Counter({ name: 'verigate_gateway_receipts_total', help: 'Delivery receipts matched, by outcome', labelNames: ['outcome'], registers });
    this.failed = new Counter({ name: 'verigate_gateway_failed_total', help: 'Outbox items that failed permanently', labelNames: ['route'], registers });
    this.retried = new Counter({ name: 'verigate_gateway_retried_total', help: 'Temporary failures scheduled for another attempt', labelNames: ['route'], registers });
    this.expired = new Counter({ name: 'verigate_gateway_expired_total', help: 'Outbox items that expired unsent', registers });
    this.mobileOriginated = new Counter({ name: 'verigate_gateway_mo_total', help: 'Messages received from handsets (MO)', registers });
    this.windowInUse = new Gauge({ name: 'verigate_gateway_smpp_window_in_use', help: 'Submits outstanding on the SMPP link', registers });
    this.linkUp = new Gauge({ name: 'verigate_gateway_smpp_link_up', help: '1 while the SMPP link is bound', registers });
  }
}
