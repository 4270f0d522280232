import { describe, expect, it } from 'vitest';
import { type Deployment, deploymentProblems } from '../../../infra/deploy/deploymentProblems.ts';
import { EXAMPLE_PARAMS } from '../../../infra/deploy/exampleParams.ts';

/** A deployment as the example params render it. */
const secure: Deployment = {
  stage: 'prod',
  region: 'us-east-1',
  environment: {
    STAGE: 'prod',
    REDIS_URL: EXAMPLE_PARAMS.redisUrl,
    REDIS_MODE: 'standalone',
    REDIS_MIN_REPLICAS: '1',
    REDIS_SECRET_ID: EXAMPLE_PARAMS.redisSecretArn,
    CLAIMS_QUEUE_URL: { Ref: 'ClaimsQueue' },
    SQS_ENDPOINT: '',
    LOCK_BACKEND: 'redis-getset',
  },
  jwtIssuerUrl: EXAMPLE_PARAMS.jwtIssuerUrl,
  jwtAudience: EXAMPLE_PARAMS.jwtAudience,
  vpcId: EXAMPLE_PARAMS.vpcId,
  subnetIds: EXAMPLE_PARAMS.subnetIds,
  operatorRoleArns: '',
  redisSecretKmsKeyArn: '',
  consumerReservedConcurrency: 10,
  alarmTopicArn: '',
  oldestMessageAgeAlarmSeconds: '600',
  lockTimeoutsAlarmThreshold: '0',
};
const withEnv = (env: Record<string, unknown>): Partial<Deployment> => ({
  environment: { ...secure.environment, ...env },
});

describe('deploymentProblems', () => {
  it('passes the example params', () => {
    expect(deploymentProblems(secure)).toEqual([]);
    const topic = 'arn:aws:sns:us-east-1:123456789012:ops-alarms';
    expect(deploymentProblems({ ...secure, alarmTopicArn: topic })).toEqual([]);
  });

  it.each<[string, Partial<Deployment>, RegExp]>([
    ['the local stage', { stage: 'local' }, /local stage is for `npm start` only/],
    ['an alarm topic that is no SNS ARN', { alarmTopicArn: 'ops-alarms' }, /alarmTopicArn must be an SNS/],
    ['an alarm age below a minute', { oldestMessageAgeAlarmSeconds: '30' }, /oldestMessageAgeAlarmSeconds/],
    ['a lock-timeouts threshold of -1', { lockTimeoutsAlarmThreshold: '-1' }, /lockTimeoutsAlarmThreshold/],
    ['no Redis', withEnv({ REDIS_URL: '' }), /--param redisUrl is required/],
    ['Redis without TLS', withEnv({ REDIS_URL: 'redis://cache.example.com:6379' }), /must use TLS/],
    [
      'a cluster seed without TLS',
      withEnv({ REDIS_MODE: 'cluster', REDIS_URL: 'rediss://a.example.com:6379,b.example.com:6379' }),
      /must use TLS/,
    ],
    ['Redis on loopback', withEnv({ REDIS_URL: 'rediss://127.0.0.1:6379' }), /loopback/],
    [
      'a password in the URL',
      withEnv({ REDIS_URL: 'rediss://:pw@cache.example.com:6379' }),
      /user or password/,
    ],
    ['no secret', withEnv({ REDIS_SECRET_ID: '' }), /--param redisSecretArn is required/],
    [
      'a secret name, not its full ARN',
      withEnv({ REDIS_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rp/redis' }),
      /redisSecretArn is required: the full ARN/,
    ],
    [
      'a placeholder issuer',
      { jwtIssuerUrl: 'https://required.invalid/jwtIssuerUrl' },
      /jwtIssuerUrl is required/,
    ],
    ['an http issuer', { jwtIssuerUrl: 'http://idp.example.org/pool' }, /jwtIssuerUrl is required/],
    ['no audience', { jwtAudience: 'required' }, /jwtAudience is required/],
    ['no VPC', { vpcId: '' }, /vpcId is required/],
    ['a bad subnet', { subnetIds: 'subnet-0123456789abcdef0,sg-0123' }, /subnetIds is required/],
    ['a bad operator role', { operatorRoleArns: 'arn:aws:iam::123456789012:user/ops' }, /operatorRoleArns/],
    ['a bad KMS key', { redisSecretKmsKeyArn: 'alias/redis' }, /redisSecretKmsKeyArn/],
    [
      'a consumer reserve below the event source',
      { consumerReservedConcurrency: 2 },
      /consumerReservedConcurrency/,
    ],
    [
      'an emulator endpoint',
      withEnv({ SQS_ENDPOINT: 'http://127.0.0.1:4566' }),
      /SQS_ENDPOINT must be unset/,
    ],
    [
      'a setting the functions refuse',
      withEnv({ REDIS_MIN_REPLICAS: '9' }),
      /would refuse.*REDIS_MIN_REPLICAS/,
    ],
    ['zookeeper without its ensemble', withEnv({ LOCK_BACKEND: 'zookeeper' }), /ZOOKEEPER_CONNECT/],
    [
      'a lock wait its waiters would give up in before a crashed holder is taken over',
      withEnv({ LOCK_WAIT_MS: '5000' }),
      /would refuse.*LOCK_WAIT_MS: must be at least 5600 ms/,
    ],
    [
      'the ZooKeeper backend (no ensemble or network for it in the template)',
      withEnv({ LOCK_BACKEND: 'zookeeper', ZOOKEEPER_CONNECT: 'zk.internal:2181/rp' }),
      /lockBackend=zookeeper is not deployable/,
    ],
  ])('refuses %s', (_, change, problem) => {
    const problems = deploymentProblems({ ...secure, ...change });
    expect(problems.join('\n')).toMatch(problem);
  });

  it('never echoes a Redis URL, which may hold a password', () => {
    const problems = deploymentProblems({
      ...secure,
      ...withEnv({ REDIS_URL: 'redis://payouts:hunter2@127.0.0.1:6379', REDIS_MODE: 'bogus' }),
    });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).not.toContain('hunter2');
  });
});
