/**
 * Every metric the functions emit, in one table: the emitters (`createMetrics`), the alarms and the
 * dashboard (`infra/deploy/operations.ts`) and the README's Operations section all read these names.
 * Dimensions stay low-cardinality: `service` and `stage` on every metric, and `reason` only where its values
 * are a fixed set of codes; never a packet, claim or user id (those are in the log lines).
 */

/** The CloudWatch namespace of every metric. */
export const METRICS_NAMESPACE = 'RedPacketPayouts';

/** The `service` dimension (and the logger's `service` field). */
export const SERVICE_NAME = 'red-packet-payouts';

/** What a metric counts or measures, in CloudWatch's units; `reason` when it is split by a fixed code. */
export interface MetricSpec {
  readonly unit: 'Count' | 'Milliseconds' | 'None';
  /** The metric's one extra dimension, whose values are error or decision codes. */
  readonly by?: 'reason';
}

export const METRICS = {
  /** `POST /packets/{id}/claims` answered 202 (a repeated claim answers 202 again and counts again). */
  ClaimsAccepted: { unit: 'Count' },
  /** The door answered an error; `reason` is the error code (`packet_exhausted`, `not_durable`, …). */
  ClaimsTurnedAway: { unit: 'Count', by: 'reason' },
  /** Items (claims and batch rows) the consumer paid. */
  Payouts: { unit: 'Count' },
  /** The sum those payouts paid, in minor units. */
  PayoutAmount: { unit: 'None' },
  /** Items decided as rejected; `reason`: `exhausted`, `expired`, `insufficient_budget`, `already_paid_by_*`. */
  Rejections: { unit: 'Count', by: 'reason' },
  /** Records acknowledged without acting (`invalid_message`, `unknown_packet`, `not_recorded`, `item_conflict`). */
  Refusals: { unit: 'Count', by: 'reason' },
  /** Redelivered records whose item was already decided (nothing changed). */
  Duplicates: { unit: 'Count' },
  /** Records handed back to the queue (`batchItemFailures`, or a whole failed batch). */
  Retries: { unit: 'Count' },
  /** Retried records on their last receive: the queue moves them to the DLQ next. */
  DlqBound: { unit: 'Count' },
  /** Records retried because their outcome was not yet on `REDIS_MIN_REPLICAS` replicas. */
  UnderReplicated: { unit: 'Count' },
  /** Time from asking for a packet's lock to holding it (or giving up), one value per acquisition. */
  LockWait: { unit: 'Milliseconds' },
  /** Acquisitions that took the lock over from an expired holder (a crashed or stalled consumer). */
  LockTakeovers: { unit: 'Count' },
  /** Acquisitions that gave up at their deadline (`LockTimeoutError`); the group's records are retried. */
  LockTimeouts: { unit: 'Count' },
  /** Messages the sweeper sent again (accepted, but their send was never confirmed). */
  SweeperResends: { unit: 'Count' },
  /** Re-sends the queue did not take (tried again next minute). */
  SweeperSendFailures: { unit: 'Count' },
  /** Expired packets the settler refunded. */
  SettleRefunds: { unit: 'Count' },
  /** The sum refunded to owners, in minor units. */
  SettleRefundAmount: { unit: 'None' },
  /** Expired packets the settler could not settle this run (lock busy, Redis down): tried next minute. */
  SettleFailures: { unit: 'Count' },
  /** Packets the scheduled reconcile checked. */
  PacketsReconciled: { unit: 'Count' },
  /** Broken invariants the scheduled reconcile found, confirmed by a second read (0 every clean run). */
  ReconcileDiscrepancies: { unit: 'Count' },
  /** Packets with activity still waiting for the scheduled reconcile after its run. */
  ReconcileBacklog: { unit: 'Count' },
} as const satisfies Record<string, MetricSpec>;

/** The name of a metric of {@link METRICS}. */
export type MetricName = keyof typeof METRICS;

/** The metrics split by `reason`. */
export type ReasonMetric = {
  [N in MetricName]: (typeof METRICS)[N] extends { by: 'reason' } ? N : never;
}[MetricName];
