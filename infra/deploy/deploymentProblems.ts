import { ConfigError, loadConfig } from '../../lib/runtime/config.ts';
import queues from '../queues.json' with { type: 'json' };

/** What a deployment renders, read back from the resolved service (so what ships is what is checked). */
export interface Deployment {
  stage: string;
  region: string;
  /** The functions' environment; CloudFormation intrinsics (the queue's `Ref`) as objects. */
  environment: Record<string, unknown>;
  jwtIssuerUrl: unknown;
  jwtAudience: unknown;
  vpcId: unknown;
  /** The comma-separated subnet ids (the `Fn::Split` source). */
  subnetIds: unknown;
  operatorRoleArns: unknown;
  redisSecretKmsKeyArn: unknown;
  consumerReservedConcurrency: unknown;
  /** `custom.operations`: the alarms' SNS topic (empty: the stack's own) and thresholds. */
  alarmTopicArn: unknown;
  oldestMessageAgeAlarmSeconds: unknown;
  lockTimeoutsAlarmThreshold: unknown;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]{36}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/i;

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');
const list = (value: unknown): string[] =>
  text(value)
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** The host of a `redis[s]://host:port` seed or a bare `host:port`, or '' when there is none. */
const hostOf = (seed: string): string => {
  const withScheme = seed.includes('://') ? seed : `redis://${seed}`;
  return URL.canParse(withScheme) ? new URL(withScheme).hostname : '';
};

/**
 * Everything that makes `deployment` unsafe to ship, each as one line saying which `--param` to fix and
 * how; empty when it may be packaged. Refuses: the local stage (it trusts identity headers); Redis
 * without TLS, with credentials in its URL, or on a loopback host; no Secrets Manager secret for the Redis
 * credentials; a JWT issuer that is not https or is a placeholder; no VPC or subnets; malformed role and
 * key ARNs; an alarm topic that is not an SNS ARN or thresholds that are not whole numbers; a consumer reserved concurrency below the event source's maximum; the ZooKeeper backend (its
 * network is not templated); and any setting the
 * functions' own configuration schema (lib/runtime/config.ts) would refuse at cold start. Never echoes a
 * Redis URL (it may hold a password).
 */
export function deploymentProblems(deployment: Deployment): string[] {
  if (deployment.stage === 'local') {
    return [
      'the local stage is for `npm start` only (it trusts the x-user-id header and points at 127.0.0.1): ' +
        'deploy with --stage <name>, e.g. --stage prod',
    ];
  }
  const problems: string[] = [];
  const env = deployment.environment;
  const redisUrl = text(env.REDIS_URL);
  const seeds = list(redisUrl);
  if (seeds.length === 0) {
    problems.push('--param redisUrl is required: rediss://<primary or configuration endpoint>:6379');
  } else if (redisUrl.includes('@')) {
    problems.push(
      '--param redisUrl must not hold a user or password (they would be in the template and the ' +
        "functions' environment): put them in a Secrets Manager secret and pass --param redisSecretArn",
    );
  } else {
    if (!seeds.every((seed) => seed.startsWith('rediss://'))) {
      problems.push('--param redisUrl must use TLS: rediss://… (every seed, in cluster mode)');
    }
    if (seeds.some((seed) => LOOPBACK.test(hostOf(seed)))) {
      problems.push('--param redisUrl points at this machine (a loopback host): use the cache endpoint');
    }
  }
  if (!SECRET_ARN.test(text(env.REDIS_SECRET_ID))) {
    problems.push(
      '--param redisSecretArn is required: the full ARN of the Secrets Manager secret with the Redis ' +
        'credentials, {"username","password"} (arn:aws:secretsmanager:<region>:<account>:secret:<name>-XXXXXX)',
    );
  }
  const kmsKey = text(deployment.redisSecretKmsKeyArn);
  if (kmsKey !== '' && !KMS_KEY_ARN.test(kmsKey)) {
    problems.push(
      '--param redisSecretKmsKeyArn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    );
  }
  const issuer = text(deployment.jwtIssuerUrl);
  if (
    !URL.canParse(issuer) ||
    new URL(issuer).protocol !== 'https:' ||
    /(^|\.)(invalid|localhost|example)$/i.test(new URL(issuer).hostname)
  ) {
    problems.push(
      '--param jwtIssuerUrl is required: the https URL of your identity provider, e.g. ' +
        'https://cognito-idp.<region>.amazonaws.com/<user pool id>',
    );
  }
  if (['', 'required'].includes(text(deployment.jwtAudience))) {
    problems.push('--param jwtAudience is required: the client id your tokens are issued to');
  }
  if (!/^vpc-[0-9a-f]{8,17}$/.test(text(deployment.vpcId))) {
    problems.push('--param vpcId is required: the VPC of the cache (vpc-…)');
  }
  const subnets = list(deployment.subnetIds);
  if (subnets.length === 0 || !subnets.every((id) => /^subnet-[0-9a-f]{8,17}$/.test(id))) {
    problems.push('--param subnetIds is required: the private subnets, comma-separated (subnet-…,subnet-…)');
  }
  if (!list(deployment.operatorRoleArns).every((arn) => ROLE_ARN.test(arn))) {
    problems.push('--param operatorRoleArns must be IAM role ARNs, comma-separated');
  }
  const reserved = Number(deployment.consumerReservedConcurrency);
  if (!Number.isInteger(reserved) || reserved < queues.maximumConcurrency) {
    problems.push(
      `--param consumerReservedConcurrency must be an integer of at least the event source's maximum ` +
        `concurrency (${queues.maximumConcurrency}, infra/queues.json)`,
    );
  }
  const topic = text(deployment.alarmTopicArn);
  if (topic !== '' && !TOPIC_ARN.test(topic)) {
    problems.push(
      '--param alarmTopicArn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), or empty ' +
        'for a topic the stack creates',
    );
  }
  const age = Number(text(deployment.oldestMessageAgeAlarmSeconds));
  if (!Number.isInteger(age) || age < 60) {
    problems.push('--param oldestMessageAgeAlarmSeconds must be an integer of at least 60 (seconds)');
  }
  const timeouts = Number(text(deployment.lockTimeoutsAlarmThreshold));
  if (!Number.isInteger(timeouts) || timeouts < 0 || text(deployment.lockTimeoutsAlarmThreshold) === '') {
    problems.push('--param lockTimeoutsAlarmThreshold must be an integer of at least 0');
  }
  if (text(env.LOCK_BACKEND) === 'zookeeper') {
    problems.push(
      "--param lockBackend=zookeeper is not deployable from this template: the functions' security group " +
        'admits only Redis and HTTPS and no ensemble is templated; use redis-getset (the default) or redis-setnx',
    );
  }
  for (const name of ['SQS_ENDPOINT', 'SECRETS_MANAGER_ENDPOINT']) {
    if (text(env[name]) !== '')
      problems.push(`${name} must be unset on a deployed stage (it points at an emulator)`);
  }
  problems.push(...configProblems(deployment));
  return problems;
}

/** What the functions' configuration schema refuses, read as a cold start would (queue URL stand-in). */
function configProblems(deployment: Deployment): string[] {
  const env: Record<string, string> = { AWS_REGION: deployment.region };
  for (const [name, value] of Object.entries(deployment.environment)) {
    env[name] =
      typeof value === 'string' ? value : 'https://sqs.invalid/000000000000/rendered-by-cloudformation';
  }
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // REDIS_URL problems are reported above, without echoing the URL.
    return error.message
      .replace(/^invalid configuration: /, '')
      .split('; ')
      .filter((issue) => !issue.startsWith('REDIS_URL'))
      .map((issue) => `the functions would refuse their settings: ${issue}`);
  }
}
