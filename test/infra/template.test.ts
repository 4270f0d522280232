import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_PARAMS as DEPLOY_PARAMS } from '../../infra/deploy/exampleParams.ts';
import { type Packaged, packageService, readTemplate } from '../../infra/deploy/packageService.ts';
import queues from '../../infra/queues.json' with { type: 'json' };
import { ROUTE_KEYS } from '../../lib/http/routes.ts';
import { METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../../lib/runtime/metricNames.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; [k: string]: unknown };
type Statement = { Effect: string; Action: string[]; Resource: unknown; Condition?: unknown; Sid?: string };

/**
 * The packaging shell's environment during the main render: values a developer's shell might hold after
 * `npm start`, each a string found nowhere else. None of them may reach the template, the state file or a
 * bundle.
 */
const SHELL_ENV = {
  REDIS_URL: 'redis://leaked-from-the-shell.example:6379',
  SQS_ENDPOINT: 'http://127.0.0.1:45666',
  CLAIMS_QUEUE_URL: 'http://127.0.0.1:45666/000000000000/leaked-queue',
  REDIS_SECRET_ID: 'leaked-secret-id',
  LOCK_WAIT_MS: '271828',
  SECRETS_MANAGER_ENDPOINT: 'http://127.0.0.1:45667/leaked-secrets',
  ZOOKEEPER_CONNECT: '127.0.0.1:2181/leaked-chroot',
  HTTP_PORT: '31997',
  OFFLINE_SQS_POLLERS: '604729',
};

const packaged: Packaged[] = [];
let resources: Record<string, Resource> = {};

/** `serverless package` renders the deployable CloudFormation template without touching the network. */
beforeAll(() => {
  const main = packageService({ env: SHELL_ENV });
  packaged.push(main);
  resources = readTemplate(main).Resources as Record<string, Resource>;
}, 150_000);
afterAll(() => {
  for (const p of packaged) rmSync(p.dir, { recursive: true, force: true });
});

/** Packages a variant (kept for clean-up). */
const render = (options: Parameters<typeof packageService>[0]) => {
  const result = packageService(options);
  packaged.push(result);
  return result;
};

/** The properties of resource `id`, which must exist. */
const propertiesOf = (from: Record<string, Resource>, id: string) => {
  const resource = from[id];
  if (!resource) throw new Error(`the template has no ${id}`);
  return resource.Properties;
};
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const sorted = (actions: string[]) => [...actions].sort();
/** Every file a packaging wrote, as text (zips included: a secret must not be in a bundle either). */
const everyFile = (dir: string) =>
  readdirSync(dir).map((name) => ({ name, text: readFileSync(join(dir, name)).toString('latin1') }));

const FUNCTIONS = [
  'consumeClaims',
  'createClaim',
  'createPacket',
  'createPayoutBatch',
  'creditBalance',
  'getBalance',
  'getClaim',
  'getPacket',
  'getPayoutBatch',
  'listPayouts',
  'reconcileActive',
  'routeNotFound',
  'settleExpired',
  'settlePacket',
  'sweepUnsent',
];
/** A `Fn::Sub` placeholder: `${name}`. */
const sub = (name: string) => `\${${name}}`;
const logicalId = (fn: string) => `${fn[0]?.toUpperCase()}${fn.slice(1)}`;

describe('the packaged CloudFormation template', () => {
  it('has the claims queue with a DLQ redrive and a visibility timeout of at least 6 × the consumer timeout', () => {
    const queue = resources.ClaimsQueue?.Properties ?? {};
    const consumer = resources.ConsumeClaimsLambdaFunction?.Properties ?? {};
    expect(resources.ClaimsDeadLetterQueue?.Type).toBe('AWS::SQS::Queue');
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt('ClaimsDeadLetterQueue'),
      maxReceiveCount: queues.maxReceiveCount,
    });
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(6 * Number(consumer.Timeout));
  });

  it('keeps both queues when the stack is deleted or replaces them, and the DLQ longer than the source', () => {
    for (const id of ['ClaimsQueue', 'ClaimsDeadLetterQueue']) {
      expect(resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    const source = Number(resources.ClaimsQueue?.Properties.MessageRetentionPeriod);
    const dlq = Number(resources.ClaimsDeadLetterQueue?.Properties.MessageRetentionPeriod);
    // A message keeps its first enqueue time in the DLQ: an operator needs time left to redrive it.
    expect(dlq).toBeGreaterThanOrEqual(source + 7 * 86_400);
    expect(dlq).toBeLessThanOrEqual(1_209_600); // SQS's maximum
  });

  it('maps the queue to the consumer with batching, partial batch responses and a concurrency cap', () => {
    const [[, mapping] = []] = ofType('AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: getAtt('ClaimsQueue'),
      BatchSize: queues.batchSize,
      MaximumBatchingWindowInSeconds: queues.maximumBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: queues.maximumConcurrency },
    });
    // Reserved: the consumer always gets its share, and never opens more Redis connections than that.
    const reserved = Number(resources.ConsumeClaimsLambdaFunction?.Properties.ReservedConcurrentExecutions);
    expect(reserved).toBeGreaterThanOrEqual(queues.maximumConcurrency);
  });

  it('runs every function on nodejs24.x, each packaged on its own, with source maps enabled', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(FUNCTIONS.map((f) => `${logicalId(f)}LambdaFunction`));
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(JSON.stringify(fn.Properties.Code)).toMatch(/\.zip/);
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { NODE_OPTIONS: '--enable-source-maps' },
      });
    }
    expect(new Set(functions.map(([, fn]) => JSON.stringify(fn.Properties.Code))).size).toBe(
      functions.length,
    );
  });

  it('runs the sweeper and the settler every minute, the reconcile of active packets every 5 minutes', () => {
    const schedules = ofType('AWS::Events::Rule').map(([, r]) => {
      expect(r.Properties.State).toBe('ENABLED');
      const [target] = r.Properties.Targets as Array<{ Arn: { 'Fn::GetAtt': [string, string] } }>;
      return [target?.Arn['Fn::GetAtt'][0], r.Properties.ScheduleExpression];
    });
    expect(schedules.sort()).toEqual([
      ['ReconcileActiveLambdaFunction', 'rate(5 minutes)'],
      ['SettleExpiredLambdaFunction', 'rate(1 minute)'],
      ['SweepUnsentLambdaFunction', 'rate(1 minute)'],
    ]);
  });

  /**
   * Routes anyone may call without credentials: only the catch-all, which answers 404 / 405 from the route
   * table and reads nothing (see the README's HTTP API).
   */
  const PUBLIC_ROUTES = ['$default'];

  it('authorizes every route: users by JWT, operators by IAM, and no route is public', () => {
    const routes = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [
        r.Properties.RouteKey,
        r.Properties.AuthorizationType ?? 'NONE',
      ]),
    );
    expect(routes).toEqual({
      'POST /packets': 'JWT',
      'GET /packets/{packetId}': 'JWT',
      'GET /packets/{packetId}/payouts': 'JWT',
      'POST /packets/{packetId}/claims': 'JWT',
      'GET /claims/{claimId}': 'JWT',
      'GET /balance': 'JWT',
      'POST /admin/packets': 'AWS_IAM',
      'GET /admin/packets/{packetId}/payouts': 'AWS_IAM',
      'POST /admin/packets/{packetId}/settle': 'AWS_IAM',
      'GET /admin/balances/{owner}': 'AWS_IAM',
      'POST /admin/balances/{owner}/credits': 'AWS_IAM',
      'POST /payout-batches': 'AWS_IAM',
      'GET /payout-batches/{batchId}': 'AWS_IAM',
      $default: 'NONE',
    });
    const open = Object.entries(routes).filter(([, type]) => type === 'NONE');
    expect(open.map(([key]) => key)).toEqual(PUBLIC_ROUTES);
    // The catch-all answers 404 / 405 from the route table: it must be the template's routes.
    expect([...ROUTE_KEYS].sort()).toEqual(
      Object.keys(routes)
        .filter((key) => key !== '$default')
        .sort(),
    );
  });
});

describe('operations: alarms to an SNS topic, and a dashboard', () => {
  const TOPIC = { Ref: 'AlarmTopic' };
  const OURS = [
    { Name: 'service', Value: SERVICE_NAME },
    { Name: 'stage', Value: 'prod' },
  ];
  /** What each alarm watches, written out here independently of the plugin that renders them. */
  const WATCHES: Record<string, Record<string, unknown>> = {
    DeadLetterQueueAlarm: {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt('ClaimsDeadLetterQueue', 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 0,
    },
    OldestMessageAgeAlarm: {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: getAtt('ClaimsQueue', 'QueueName') }],
      Statistic: 'Maximum',
      Threshold: 600,
      EvaluationPeriods: 3,
    },
    ConsumerErrorsAlarm: {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ConsumeClaimsLambdaFunction' } }],
      Statistic: 'Sum',
      Threshold: 0,
    },
    ConsumerThrottlesAlarm: {
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ConsumeClaimsLambdaFunction' } }],
      Statistic: 'Sum',
      Threshold: 0,
    },
    LockTimeoutsAlarm: {
      Namespace: METRICS_NAMESPACE,
      MetricName: 'LockTimeouts',
      Dimensions: OURS,
      Statistic: 'Sum',
      Threshold: 0,
    },
    ReconcileDiscrepanciesAlarm: {
      Namespace: METRICS_NAMESPACE,
      MetricName: 'ReconcileDiscrepancies',
      Dimensions: OURS,
      Statistic: 'Sum',
      Threshold: 0,
    },
  };

  it.each(Object.keys(WATCHES))(
    '%s watches its metric, fires above its threshold, notifies the topic',
    (id) => {
      const alarm = propertiesOf(resources, id);
      expect(alarm).toMatchObject({
        ...WATCHES[id],
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [TOPIC],
        OKActions: [TOPIC],
      });
      expect(resources[id]?.Type).toBe('AWS::CloudWatch::Alarm');
      // Our metrics are ones the functions emit, by the dimensions they emit them with.
      if (alarm.Namespace === METRICS_NAMESPACE) expect(METRICS).toHaveProperty(String(alarm.MetricName));
    },
  );

  it('no other alarm exists; the topic is the stack own unless alarmTopicArn names one', () => {
    expect(
      ofType('AWS::CloudWatch::Alarm')
        .map(([id]) => id)
        .sort(),
    ).toEqual(Object.keys(WATCHES).sort());
    expect(propertiesOf(resources, 'AlarmTopic')).toEqual({ TopicName: 'red-packet-payouts-prod-alarms' });
    const topic = 'arn:aws:sns:us-east-1:123456789012:ops-alarms';
    const given = readTemplate(render({ params: { ...DEPLOY_PARAMS, alarmTopicArn: topic } }));
    expect(given.Resources.AlarmTopic).toBeUndefined();
    for (const id of Object.keys(WATCHES)) {
      expect(given.Resources[id]?.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
    }
  });

  it('one dashboard graphs the campaign: payouts, claims, queue and DLQ depth, lock wait p99, reconcile', () => {
    const dashboards = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const dashboard = propertiesOf(resources, 'OperationsDashboard');
    const [body, vars] = (dashboard.DashboardBody as { 'Fn::Sub': [string, unknown] })['Fn::Sub'];
    expect(vars).toEqual({
      QueueName: getAtt('ClaimsQueue', 'QueueName'),
      DeadLetterQueueName: getAtt('ClaimsDeadLetterQueue', 'QueueName'),
      ConsumerName: { Ref: 'ConsumeClaimsLambdaFunction' },
    });
    const widgets = (JSON.parse(body) as { widgets: Array<{ properties: { metrics: unknown[][] } }> })
      .widgets;
    const graphed = widgets.flatMap((w) => w.properties.metrics.map((m) => JSON.stringify(m)));
    const graphs = (namespace: string, metric: string, ...rest: string[]) =>
      graphed.some((m) => m.startsWith(JSON.stringify([namespace, metric, ...rest]).slice(0, -1)));
    for (const metric of [
      'ClaimsAccepted',
      'Payouts',
      'PayoutAmount',
      'LockTimeouts',
      'ReconcileDiscrepancies',
    ]) {
      expect(graphs(METRICS_NAMESPACE, metric, 'service', SERVICE_NAME, 'stage', 'prod'), metric).toBe(true);
    }
    expect(graphed).toContain(
      JSON.stringify([
        METRICS_NAMESPACE,
        'LockWait',
        'service',
        SERVICE_NAME,
        'stage',
        'prod',
        { stat: 'p99' },
      ]),
    );
    expect(graphs('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', sub('QueueName'))).toBe(true);
    expect(
      graphs('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', sub('DeadLetterQueueName')),
    ).toBe(true);
    expect(graphs('AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', sub('QueueName'))).toBe(true);
    // Every placeholder is one Fn::Sub resolves (a pseudo parameter or a variable above).
    const placeholders = new Set([...body.matchAll(/\$\{([^}]+)\}/g)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual([
      'AWS::Region',
      'ConsumerName',
      'DeadLetterQueueName',
      'QueueName',
    ]);
  });
});

describe('least privilege: a role per function', () => {
  const QUEUE = getAtt('ClaimsQueue');
  /** Each grant, written out here independently of the plugin that renders them. */
  const GRANT: Record<string, (fn: string) => Omit<Statement, 'Effect'>> = {
    logs: (fn) => ({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: getAtt(`${logicalId(fn)}LogGroup`),
    }),
    vpc: () => ({
      Action: [
        'ec2:AssignPrivateIpAddresses',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: '*',
    }),
    secret: () => ({ Action: ['secretsmanager:GetSecretValue'], Resource: DEPLOY_PARAMS.redisSecretArn }),
    send: () => ({ Action: ['sqs:SendMessage'], Resource: QUEUE }),
    receive: () => ({
      Action: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      Resource: QUEUE,
    }),
  };
  /** What each function may do besides its logs and its network interfaces. */
  const MAY: Record<string, string[]> = {
    createPacket: ['secret'],
    getPacket: ['secret'],
    listPayouts: ['secret'],
    createClaim: ['secret', 'send'],
    getClaim: ['secret'],
    getBalance: ['secret'],
    creditBalance: ['secret'],
    settlePacket: ['secret'],
    createPayoutBatch: ['secret', 'send'],
    getPayoutBatch: ['secret'],
    consumeClaims: ['secret', 'receive'],
    sweepUnsent: ['secret', 'send'],
    settleExpired: ['secret'],
    reconcileActive: ['secret'],
    routeNotFound: [],
  };
  const statementsOf = (roleId: string) => {
    const role = resources[roleId]?.Properties as {
      Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>;
      ManagedPolicyArns?: unknown;
    };
    expect(role.ManagedPolicyArns).toBeUndefined();
    return role.Policies.flatMap((p) => p.PolicyDocument.Statement);
  };
  const normalize = (statements: Array<{ Action: string[]; Resource: unknown; Condition?: unknown }>) =>
    statements
      .map((s) =>
        JSON.stringify({ Action: sorted(s.Action), Resource: s.Resource, Condition: s.Condition ?? null }),
      )
      .sort();

  it.each(Object.keys(MAY))('%s has its own role with exactly its permissions, nothing more', (fn) => {
    const roleId = `${logicalId(fn)}IamRole`;
    expect(resources[`${logicalId(fn)}LambdaFunction`]?.Properties.Role).toEqual(getAtt(roleId));
    const statements = statementsOf(roleId);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    const expected = ['logs', 'vpc', ...(MAY[fn] ?? [])].map(
      (grant) => GRANT[grant]?.(fn) ?? { Action: [], Resource: null },
    );
    expect(normalize(statements)).toEqual(normalize(expected));
  });

  it('no other role or policy exists, every function is listed, and only EC2 network actions use *', () => {
    expect(Object.keys(MAY).sort()).toEqual(FUNCTIONS);
    const roles = ofType('AWS::IAM::Role').map(([id]) => id);
    expect(roles.sort()).toEqual(FUNCTIONS.map((f) => `${logicalId(f)}IamRole`).sort());
    expect(ofType('AWS::IAM::Policy')).toEqual([]);
    expect(ofType('AWS::IAM::ManagedPolicy')).toEqual([]);
    for (const roleId of roles) {
      for (const s of statementsOf(roleId)) {
        if (JSON.stringify(s.Resource).includes('*'))
          expect(s.Action.every((a) => a.startsWith('ec2:'))).toBe(true);
      }
    }
  });

  it('the queue policy refuses SendMessage from all but the producers, receiving from all but the consumer', () => {
    const policy = ofType('AWS::SQS::QueuePolicy');
    expect(policy).toHaveLength(1);
    const [[, queuePolicy] = []] = policy;
    expect(queuePolicy?.Properties.Queues).toEqual([{ Ref: 'ClaimsQueue' }]);
    const statements =
      (queuePolicy?.Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [];
    const deniedExceptFor = (action: string) => {
      const deny = statements.find(
        (s) => s.Effect === 'Deny' && s.Action.includes(action) && s.Action.length < 5,
      );
      expect(deny).toMatchObject({ Principal: '*', Resource: QUEUE });
      return (
        (deny?.Condition as { ArnNotEquals: Record<string, unknown[]> } | undefined)?.ArnNotEquals[
          'aws:PrincipalArn'
        ] ?? []
      )
        .map((arn) => JSON.stringify(arn))
        .sort();
    };
    const rolesThat = (grant: string) =>
      Object.entries(MAY)
        .filter(([, grants]) => grants.includes(grant))
        .map(([fn]) => JSON.stringify(getAtt(`${logicalId(fn)}IamRole`)))
        .sort();
    expect(deniedExceptFor('sqs:SendMessage')).toEqual(rolesThat('send'));
    expect(deniedExceptFor('sqs:ReceiveMessage')).toEqual(rolesThat('receive'));
    expect(deniedExceptFor('sqs:DeleteMessage')).toEqual(rolesThat('receive'));
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: ['sqs:*'],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('operatorRoleArns may also send (a DLQ redrive); a KMS key adds decrypt through Secrets Manager only', () => {
    const operator = 'arn:aws:iam::123456789012:role/payout-operators';
    const key = 'arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
    const variant = readTemplate(
      render({ params: { ...DEPLOY_PARAMS, operatorRoleArns: operator, redisSecretKmsKeyArn: key } }),
    ).Resources as Record<string, Resource>;
    expect(JSON.stringify(variant.ClaimsQueuePolicy)).toContain(operator);
    const statements = (
      propertiesOf(variant, 'GetPacketIamRole').Policies as Array<{
        PolicyDocument: { Statement: Statement[] };
      }>
    ).flatMap((p) => p.PolicyDocument.Statement);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: key,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
    });
  }, 60_000);
});

describe('secrets and settings: only from params, never in the template', () => {
  it('no value of the packaging shell reaches the template or the state file', () => {
    for (const { name, text } of everyFile(packaged[0]?.dir ?? '')) {
      for (const [key, value] of Object.entries(SHELL_ENV)) {
        expect(text.includes(value), `${key}'s shell value is in ${name}`).toBe(false);
      }
    }
  });

  it("every function's environment is the params' values: TLS Redis without credentials, the secret's ARN", () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const env = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env).toMatchObject({
        STAGE: 'prod',
        REDIS_URL: DEPLOY_PARAMS.redisUrl,
        REDIS_SECRET_ID: DEPLOY_PARAMS.redisSecretArn,
        CLAIMS_QUEUE_URL: { Ref: 'ClaimsQueue' },
        LOCK_WAIT_MS: '8000',
        LOCK_TTL_MS: '5000',
        LOCK_DRIFT_MS: '100',
        LOCK_CLOCK: 'redis',
        LOCK_BACKEND: 'redis-getset',
      });
      expect(env.SQS_ENDPOINT ?? '').toBe('');
    }
  });

  it('a password in redisUrl is refused before anything is written, and never echoed', () => {
    const password = 'hunter2-Xq9/@pass';
    const refused = render({
      params: {
        ...DEPLOY_PARAMS,
        redisUrl: `rediss://payouts:${password}@master.example.cache.amazonaws.com:6379`,
      },
    });
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(/redisUrl must not hold a user or password/);
    expect(refused.output).not.toContain('hunter2');
    for (const { name, text } of everyFile(refused.dir)) {
      expect(text.includes('hunter2'), `the password is in ${name}`).toBe(false);
    }
  }, 60_000);

  it('the local stage is refused for deployment; without --stage the stage is dev, not local', () => {
    const local = render({ stage: 'local' });
    expect(local.status).not.toBe(0);
    expect(local.output).toMatch(/the local stage is for `npm start` only/);
    expect(readdirSync(local.dir)).toEqual([]);

    const unnamed = readTemplate(render({ stage: null })).Resources as Record<string, Resource>;
    const env = (
      propertiesOf(unnamed, 'GetPacketLambdaFunction').Environment as { Variables: Record<string, unknown> }
    ).Variables;
    expect(env.STAGE).toBe('dev');
  }, 60_000);

  it('a deployment without params is refused with the checklist of what is missing', () => {
    const bare = render({ params: {} });
    expect(bare.status).not.toBe(0);
    for (const param of ['redisUrl', 'redisSecretArn', 'jwtIssuerUrl', 'jwtAudience', 'vpcId', 'subnetIds']) {
      expect(bare.output).toContain(`--param ${param} is required`);
    }
    expect(readdirSync(bare.dir)).toEqual([]);
    const plain = render({
      params: { ...DEPLOY_PARAMS, redisUrl: 'redis://master.example.cache.amazonaws.com:6379' },
    });
    expect(plain.status).not.toBe(0);
    expect(plain.output).toContain('--param redisUrl must use TLS');
  }, 60_000);
});

describe('network, limits and audit', () => {
  it('every function runs in the VPC, in the functions security group, in the given subnets', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties.VpcConfig).toEqual({
        SecurityGroupIds: [getAtt('FunctionSecurityGroup', 'GroupId')],
        SubnetIds: { 'Fn::Split': [',', DEPLOY_PARAMS.subnetIds] },
      });
    }
    for (const id of ['FunctionSecurityGroup', 'CacheSecurityGroup']) {
      expect(resources[id]?.Properties.VpcId).toBe(DEPLOY_PARAMS.vpcId);
    }
  });

  it('the cache admits Redis only from the functions; the functions reach only Redis and HTTPS', () => {
    const cache = getAtt('CacheSecurityGroup', 'GroupId');
    const fns = getAtt('FunctionSecurityGroup', 'GroupId');
    expect(resources.CacheSecurityGroup?.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = ofType('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    expect(ingress.filter((r) => JSON.stringify(r.GroupId) === JSON.stringify(cache))).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: '6379',
        ToPort: '6379',
        SourceSecurityGroupId: fns,
      }),
    ]);
    const egress = [
      ...(propertiesOf(resources, 'FunctionSecurityGroup').SecurityGroupEgress as Record<string, unknown>[]),
      ...ofType('AWS::EC2::SecurityGroupEgress').map(([, r]) => r.Properties),
    ];
    expect(egress.map((r) => [r.FromPort, r.ToPort, r.DestinationSecurityGroupId ?? r.CidrIp])).toEqual(
      expect.arrayContaining([
        [443, 443, '0.0.0.0/0'],
        ['6379', '6379', cache],
      ]),
    );
    expect(egress).toHaveLength(2);
  });

  it('SQS and Secrets Manager are reached through interface endpoints (unless createVpcEndpoints is false)', () => {
    const endpoints = ofType('AWS::EC2::VPCEndpoint').map(([, r]) => r);
    expect(endpoints.map((e) => JSON.stringify(e.Properties.ServiceName)).sort()).toEqual(
      [
        { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.secretsmanager']] },
        { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.sqs']] },
      ].map((s) => JSON.stringify(s)),
    );
    for (const e of endpoints) {
      expect(e).toMatchObject({
        Condition: 'CreateVpcEndpoints',
        Properties: { VpcEndpointType: 'Interface', PrivateDnsEnabled: true, VpcId: DEPLOY_PARAMS.vpcId },
      });
    }
  });

  it('throttles the HTTP API stage (the claim route on its own) and logs each request with its caller', () => {
    const stage = resources.HttpApiStage?.Properties as {
      DefaultRouteSettings: Record<string, unknown>;
      RouteSettings: Record<string, Record<string, unknown>>;
      AccessLogSettings: { Format: string };
    };
    expect(Number(stage.DefaultRouteSettings.ThrottlingRateLimit)).toBeGreaterThan(0);
    expect(Number(stage.DefaultRouteSettings.ThrottlingBurstLimit)).toBeGreaterThan(0);
    const claims = stage.RouteSettings['POST /packets/{packetId}/claims'] ?? {};
    expect(Number(claims.ThrottlingRateLimit)).toBeGreaterThan(
      Number(stage.DefaultRouteSettings.ThrottlingRateLimit),
    );
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      routeKey: '$context.routeKey',
      status: '$context.status',
      user: '$context.authorizer.claims.sub',
      iamUser: '$context.identity.userArn',
    });
  });
});
