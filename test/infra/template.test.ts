import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import queues from '../../infra/queues.json' with { type: 'json' };

type Resource = { Type: string; Properties: Record<string, unknown> };
let resources: Record<string, Resource> = {};
const dir = mkdtempSync(join(tmpdir(), 'rp-package-'));

/** `serverless package` renders the deployable CloudFormation template without touching the network. */
beforeAll(() => {
  execFileSync(
    process.execPath,
    ['node_modules/serverless/bin/serverless.js', 'package', '--stage', 'prod', '--package', dir],
    {
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: 'pipe',
      timeout: 120_000,
    },
  );
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
}, 150_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

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

  it('maps the queue to the consumer with batching, partial batch responses and a concurrency cap', () => {
    const [[, mapping] = []] = ofType('AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: getAtt('ClaimsQueue'),
      BatchSize: queues.batchSize,
      MaximumBatchingWindowInSeconds: queues.maximumBatchingWindowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: queues.maximumConcurrency },
    });
  });

  it('runs every function on nodejs24.x, each packaged on its own', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(
      [
        'ConsumeClaims',
        'CreateClaim',
        'CreatePacket',
        'CreatePayoutBatch',
        'CreditBalance',
        'GetBalance',
        'GetClaim',
        'GetPacket',
        'GetPayoutBatch',
        'ListPayouts',
        'SettleExpired',
        'SettlePacket',
        'SweepUnsent',
      ].map((f) => `${f}LambdaFunction`),
    );
    for (const [, fn] of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(JSON.stringify(fn.Properties.Code)).toMatch(/\.zip/);
    }
    expect(new Set(functions.map(([, fn]) => JSON.stringify(fn.Properties.Code))).size).toBe(
      functions.length,
    );
  });

  it('runs the sweeper and the settler on a schedule, every minute', () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    const targets = rules.map((r) => {
      expect(r).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
      return JSON.stringify((r.Targets as Array<{ Arn: unknown }>)[0]?.Arn);
    });
    expect(targets.sort()).toEqual(
      [getAtt('SettleExpiredLambdaFunction'), getAtt('SweepUnsentLambdaFunction')]
        .map((a) => JSON.stringify(a))
        .sort(),
    );
  });

  /** Routes anyone may call without credentials: none (see the README's HTTP API). */
  const PUBLIC_ROUTES: string[] = [];

  it('authorizes every route: users by JWT, operators by IAM, and no route is public', () => {
    const routes = Object.fromEntries(
      ofType('AWS::ApiGatewayV2::Route').map(([, r]) => [
        r.Properties.RouteKey,
        r.Properties.AuthorizationType,
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
    });
    const open = Object.entries(routes).filter(([, type]) => type === undefined || type === 'NONE');
    expect(open.map(([key]) => key)).toEqual(PUBLIC_ROUTES);
  });

  it('grants least privilege: SQS actions only on the claims queue, nothing with a wildcard resource', () => {
    const role = resources.IamRoleLambdaExecution?.Properties as {
      Policies: Array<{ PolicyDocument: { Statement: Array<{ Action: string[]; Resource: unknown }> } }>;
    };
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const sqs = statements.filter((s) => s.Action.some((a) => a.startsWith('sqs:')));
    expect(sqs.flatMap((s) => s.Action).sort()).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    for (const s of sqs)
      expect(JSON.stringify(s.Resource)).toBe(
        JSON.stringify(Array.isArray(s.Resource) ? [getAtt('ClaimsQueue')] : getAtt('ClaimsQueue')),
      );
    for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });
});
