/**
 * Serverless plugin: one IAM role per function, from `custom.leastPrivilege.functions` (function →
 * capabilities), and a policy on the claims queue that refuses sending from any role but the producers'
 * and receiving or deleting from any but the consumer's. Every role may write its own log group and, in a
 * VPC, manage its network interfaces; a capability adds exactly the statements in {@link CAPABILITIES}.
 * A function without an entry, or an unknown capability, fails packaging: nothing gets a default role.
 */

type Statement = { Effect: 'Allow' | 'Deny'; Action: string[]; Resource: unknown; [k: string]: unknown };
type Resource = { Type: string; Properties: Record<string, unknown>; [k: string]: unknown };

/** What the capabilities' statements refer to. */
interface Targets {
  queueArn: unknown;
  redisSecretArn: string;
  redisSecretKmsKeyArn: string;
  region: string;
}

/** The statements each capability grants. */
export const CAPABILITIES: Record<string, (t: Targets) => Statement[]> = {
  /** Read the Redis credentials (and decrypt them, through Secrets Manager only, with a customer key). */
  redis: (t) => [
    ...(t.redisSecretArn
      ? [{ Effect: 'Allow' as const, Action: ['secretsmanager:GetSecretValue'], Resource: t.redisSecretArn }]
      : []),
    ...(t.redisSecretKmsKeyArn
      ? [
          {
            Effect: 'Allow' as const,
            Action: ['kms:Decrypt'],
            Resource: t.redisSecretKmsKeyArn,
            Condition: { StringEquals: { 'kms:ViaService': `secretsmanager.${t.region}.amazonaws.com` } },
          },
        ]
      : []),
  ],
  /** Send claims, batch payouts and re-sends to the claims queue. */
  sendClaims: (t) => [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: t.queueArn }],
  /** The SQS event source's polling: receive, delete, read the queue's attributes. */
  receiveClaims: (t) => [
    {
      Effect: 'Allow',
      Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
      Resource: t.queueArn,
    },
  ],
};

/** Lambda's own network interfaces in the VPC; EC2 supports no resource-level scoping for these. */
export const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

const QUEUE = 'ClaimsQueue';

interface ServerlessLike {
  service: {
    provider: {
      region: string;
      vpc?: unknown;
      compiledCloudFormationTemplate: { Resources: Record<string, Resource> };
    };
    custom?: { leastPrivilege?: Record<string, unknown> };
    getAllFunctions(): string[];
    getFunction(name: string): { role?: unknown };
  };
  getProvider(name: 'aws'): {
    naming: { getNormalizedFunctionName(name: string): string; getLogGroupLogicalId(name: string): string };
  };
  classes: { Error: new (message: string) => Error };
}

export default class LeastPrivilege {
  readonly hooks: Record<string, () => void>;

  constructor(serverless: ServerlessLike) {
    // Before the framework merges its IAM templates: with a role on every function it creates none.
    this.hooks = { 'before:package:setupProviderConfiguration': () => applyRoles(serverless) };
  }
}

const csv = (value: unknown) =>
  (typeof value === 'string' ? value : '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function applyRoles(serverless: ServerlessLike): void {
  const { service } = serverless;
  const settings = service.custom?.leastPrivilege ?? {};
  const declared = (settings.functions ?? {}) as Record<string, unknown>;
  const naming = serverless.getProvider('aws').naming;
  const fail = (message: string) => new serverless.classes.Error(`custom.leastPrivilege: ${message}`);
  const targets: Targets = {
    queueArn: { 'Fn::GetAtt': [QUEUE, 'Arn'] },
    redisSecretArn: String(settings.redisSecretArn ?? ''),
    redisSecretKmsKeyArn: String(settings.redisSecretKmsKeyArn ?? ''),
    region: service.provider.region,
  };
  const resources = service.provider.compiledCloudFormationTemplate.Resources;
  const roleArns: Record<string, unknown[]> = { sendClaims: [], receiveClaims: [] };

  for (const name of Object.keys(declared)) {
    if (!service.getAllFunctions().includes(name)) throw fail(`"${name}" is not a function of this service`);
  }
  for (const name of service.getAllFunctions()) {
    const capabilities = declared[name];
    if (!Array.isArray(capabilities)) throw fail(`no entry for function "${name}" (list what it may do)`);
    const statements: Statement[] = [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [naming.getLogGroupLogicalId(name), 'Arn'] },
      },
      ...(service.provider.vpc
        ? [{ Effect: 'Allow' as const, Action: VPC_ACCESS_ACTIONS, Resource: '*' }]
        : []),
    ];
    const roleId = `${naming.getNormalizedFunctionName(name)}IamRole`;
    for (const capability of capabilities) {
      const grant = CAPABILITIES[String(capability)];
      if (!grant) throw fail(`unknown capability "${String(capability)}" for "${name}"`);
      statements.push(...grant(targets));
      roleArns[String(capability)]?.push({ 'Fn::GetAtt': [roleId, 'Arn'] });
    }
    resources[roleId] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
          ],
        },
        Policies: [{ PolicyName: name, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      },
    };
    service.getFunction(name).role = roleId;
  }
  resources.ClaimsQueuePolicy = queuePolicy(roleArns, csv(settings.operatorRoleArns));
}

/**
 * Denies, whatever an identity policy allows: any request without TLS; SendMessage by anyone but the
 * producers' roles and `operators`; ReceiveMessage, DeleteMessage and ChangeMessageVisibility by anyone but
 * the consumer's role. A message with no claim or batch record behind it is refused by the consumer anyway.
 */
function queuePolicy(roleArns: Record<string, unknown[]>, operators: string[]): Resource {
  const queueArn = { 'Fn::GetAtt': [QUEUE, 'Arn'] };
  const onlyFor = (principals: unknown[]) => ({ ArnNotEquals: { 'aws:PrincipalArn': principals } });
  return {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: QUEUE }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyWithoutTls',
            Effect: 'Deny',
            Principal: '*',
            Action: ['sqs:*'],
            Resource: queueArn,
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
          {
            Sid: 'OnlyProducersSend',
            Effect: 'Deny',
            Principal: '*',
            Action: ['sqs:SendMessage'],
            Resource: queueArn,
            Condition: onlyFor([...(roleArns.sendClaims ?? []), ...operators]),
          },
          {
            Sid: 'OnlyTheConsumerReceives',
            Effect: 'Deny',
            Principal: '*',
            Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
            Resource: queueArn,
            Condition: onlyFor(roleArns.receiveClaims ?? []),
          },
        ],
      },
    },
  };
}
