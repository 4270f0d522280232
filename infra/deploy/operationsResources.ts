import { METRICS_NAMESPACE, type MetricName, SERVICE_NAME } from '../../lib/runtime/metricNames.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; [k: string]: unknown };

/** What the alarms and the dashboard are built from (`custom.operations`, resolved from the params). */
export interface OperationsSettings {
  service: string;
  stage: string;
  /** An SNS topic ARN the alarms notify; empty: the stack creates its own topic, `AlarmTopic`. */
  alarmTopicArn: string;
  /** The claims queue's oldest message may be this old (s) for 3 minutes before its alarm fires. */
  oldestMessageAgeSeconds: number;
  /** Lock timeouts allowed in 5 minutes before their alarm fires (0: the first one). */
  lockTimeoutsThreshold: number;
}

/** The queues and the consumer, as the template names them. */
const DLQ = { 'Fn::GetAtt': ['ClaimsDeadLetterQueue', 'QueueName'] };
const QUEUE = { 'Fn::GetAtt': ['ClaimsQueue', 'QueueName'] };
const CONSUMER = { Ref: 'ConsumeClaimsLambdaFunction' };

/** An alarm's metric: a CloudWatch namespace, name, dimensions and statistic. */
interface Watched {
  namespace: string;
  metric: string;
  dimensions: Array<{ Name: string; Value: unknown }>;
  statistic: 'Maximum' | 'Sum';
  period: number;
  threshold: number;
  /** Periods that must breach in a row. @defaultValue 1 */
  periods?: number;
}

/**
 * The alarms of the stack, by logical id: each what it watches (what the README's Operations section
 * explains, with a runbook line per alarm). All fire above their threshold and notify the alarm topic, and
 * again when they clear; a missing datapoint is not a breach (no traffic, no message).
 */
export function alarms(settings: OperationsSettings): Record<string, Watched & { description: string }> {
  const ours = (metric: MetricName) => ({
    namespace: METRICS_NAMESPACE,
    metric,
    dimensions: [
      { Name: 'service', Value: SERVICE_NAME },
      { Name: 'stage', Value: settings.stage },
    ],
  });
  return {
    DeadLetterQueueAlarm: {
      description:
        'A message is in the claims DLQ: an accepted claim or payout is neither paid nor rejected.',
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      dimensions: [{ Name: 'QueueName', Value: DLQ }],
      statistic: 'Maximum',
      period: 60,
      threshold: 0,
    },
    OldestMessageAgeAlarm: {
      description: `The claims queue's oldest message is older than ${settings.oldestMessageAgeSeconds} s: the consumer is not keeping up or keeps retrying.`,
      namespace: 'AWS/SQS',
      metric: 'ApproximateAgeOfOldestMessage',
      dimensions: [{ Name: 'QueueName', Value: QUEUE }],
      statistic: 'Maximum',
      period: 60,
      threshold: settings.oldestMessageAgeSeconds,
      periods: 3,
    },
    ConsumerErrorsAlarm: {
      description: 'The consumer failed a whole batch (every record retried) or crashed.',
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimensions: [{ Name: 'FunctionName', Value: CONSUMER }],
      statistic: 'Sum',
      period: 300,
      threshold: 0,
    },
    ConsumerThrottlesAlarm: {
      description:
        'Lambda throttled the consumer: its reserved concurrency is below the event source maximum.',
      namespace: 'AWS/Lambda',
      metric: 'Throttles',
      dimensions: [{ Name: 'FunctionName', Value: CONSUMER }],
      statistic: 'Sum',
      period: 300,
      threshold: 0,
    },
    LockTimeoutsAlarm: {
      description: 'Consumers gave up waiting for a packet lock: its records wait a visibility timeout.',
      ...ours('LockTimeouts'),
      statistic: 'Sum',
      period: 300,
      threshold: settings.lockTimeoutsThreshold,
    },
    ReconcileDiscrepanciesAlarm: {
      description: 'The scheduled reconcile found a broken money invariant on a packet (see its log line).',
      ...ours('ReconcileDiscrepancies'),
      statistic: 'Sum',
      period: 300,
      threshold: 0,
    },
  };
}

/**
 * The stack's operations resources: the alarm topic (unless `alarmTopicArn` names one), the alarms of
 * {@link alarms}, and one dashboard of the campaign's key graphs.
 */
export function operationsResources(settings: OperationsSettings): Record<string, Resource> {
  const resources: Record<string, Resource> = {};
  let topic: unknown = settings.alarmTopicArn;
  if (settings.alarmTopicArn === '') {
    resources.AlarmTopic = {
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: `${settings.service}-${settings.stage}-alarms` },
    };
    topic = { Ref: 'AlarmTopic' };
  }
  for (const [id, alarm] of Object.entries(alarms(settings))) {
    resources[id] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: `${settings.service}-${settings.stage}-${id.replace(/Alarm$/, '')}`,
        AlarmDescription: `${alarm.description} Runbook: the README's Operations section.`,
        Namespace: alarm.namespace,
        MetricName: alarm.metric,
        Dimensions: alarm.dimensions,
        Statistic: alarm.statistic,
        Period: alarm.period,
        EvaluationPeriods: alarm.periods ?? 1,
        DatapointsToAlarm: alarm.periods ?? 1,
        Threshold: alarm.threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      },
    };
  }
  resources.OperationsDashboard = {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: `${settings.service}-${settings.stage}`,
      DashboardBody: {
        'Fn::Sub': [
          JSON.stringify({ widgets: dashboardWidgets(settings) }),
          { QueueName: QUEUE, DeadLetterQueueName: DLQ, ConsumerName: CONSUMER },
        ],
      },
    },
  };
  return resources;
}

/** A `Fn::Sub` placeholder: `${name}`. */
const sub = (name: string) => `\${${name}}`;

/** A graph of the dashboard: its title and its metrics (CloudWatch's `metrics` array form). */
interface Graph {
  title: string;
  metrics: unknown[][];
  stat?: string;
}

/** The dashboard's graphs, two per row; `${…}` placeholders are the `Fn::Sub` variables above. */
function dashboardWidgets(settings: OperationsSettings) {
  const ours = (metric: MetricName, options: Record<string, string> = {}) => [
    METRICS_NAMESPACE,
    metric,
    'service',
    SERVICE_NAME,
    'stage',
    settings.stage,
    options,
  ];
  const graphs: Graph[] = [
    {
      title: 'Claims at the door (accepted, turned away by reason)',
      metrics: [
        ours('ClaimsAccepted'),
        [
          {
            expression: `SEARCH('{${METRICS_NAMESPACE},service,stage,reason} MetricName="ClaimsTurnedAway" stage="${settings.stage}"', 'Sum', 60)`,
            id: 'turnedAway',
            label: 'turned away',
          },
        ],
      ],
      stat: 'Sum',
    },
    {
      title: 'Payouts (count) and amount paid (minor units)',
      metrics: [ours('Payouts'), ours('PayoutAmount', { yAxis: 'right' })],
      stat: 'Sum',
    },
    {
      title: 'Rejections by reason, duplicates, retries',
      metrics: [
        [
          {
            expression: `SEARCH('{${METRICS_NAMESPACE},service,stage,reason} MetricName="Rejections" stage="${settings.stage}"', 'Sum', 60)`,
            id: 'rejections',
            label: 'rejected',
          },
        ],
        ours('Duplicates'),
        ours('Retries'),
        ours('DlqBound'),
      ],
      stat: 'Sum',
    },
    {
      title: 'Claims queue: depth, in flight, oldest message (s); DLQ depth',
      metrics: [
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', sub('QueueName')],
        ['AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', 'QueueName', sub('QueueName')],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', sub('QueueName'), { yAxis: 'right' }],
        [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          sub('DeadLetterQueueName'),
          { label: 'DLQ' },
        ],
      ],
      stat: 'Maximum',
    },
    {
      title: 'Lock wait (ms): p50 and p99',
      metrics: [ours('LockWait', { stat: 'p50' }), ours('LockWait', { stat: 'p99' })],
    },
    {
      title: 'Lock timeouts and takeovers; under-replicated commits',
      metrics: [ours('LockTimeouts'), ours('LockTakeovers'), ours('UnderReplicated')],
      stat: 'Sum',
    },
    {
      title: 'Consumer: errors, throttles, duration (ms)',
      metrics: [
        ['AWS/Lambda', 'Errors', 'FunctionName', sub('ConsumerName')],
        ['AWS/Lambda', 'Throttles', 'FunctionName', sub('ConsumerName')],
        ['AWS/Lambda', 'Duration', 'FunctionName', sub('ConsumerName'), { stat: 'p99', yAxis: 'right' }],
      ],
      stat: 'Sum',
    },
    {
      title: 'Reconcile: packets checked, discrepancies, backlog; sweeper re-sends; settle refunds',
      metrics: [
        ours('PacketsReconciled'),
        ours('ReconcileDiscrepancies'),
        ours('ReconcileBacklog', { stat: 'Maximum' }),
        ours('SweeperResends'),
        ours('SettleRefunds'),
      ],
      stat: 'Sum',
    },
  ];
  return graphs.map((graph, i) => ({
    type: 'metric',
    x: (i % 2) * 12,
    y: Math.floor(i / 2) * 6,
    width: 12,
    height: 6,
    properties: {
      title: graph.title,
      region: sub('AWS::Region'),
      view: 'timeSeries',
      period: 60,
      ...(graph.stat ? { stat: graph.stat } : {}),
      metrics: graph.metrics,
    },
  }));
}
