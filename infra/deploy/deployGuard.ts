/**
 * Serverless plugin: refuses to package or deploy what would be insecure (see deploymentProblems): the
 * local stage, and a deployed stage whose params are missing or unsafe. Runs before anything is bundled or
 * rendered, so a refused deployment leaves no template and no state file behind.
 */
import { type Deployment, deploymentProblems } from './deploymentProblems.ts';

interface ServerlessLike {
  service: {
    provider: {
      stage: string;
      region: string;
      environment?: Record<string, unknown>;
      httpApi?: { authorizers?: { jwt?: { issuerUrl?: unknown; audience?: unknown } } };
      vpc?: { subnetIds?: unknown };
    };
    custom?: { leastPrivilege?: Record<string, unknown>; operations?: Record<string, unknown> };
    resources?: { Resources?: Record<string, { Properties?: Record<string, unknown> }> };
    getFunction(name: string): { reservedConcurrency?: unknown };
  };
  classes: { Error: new (message: string) => Error };
}

export default class DeployGuard {
  readonly hooks: Record<string, () => void>;

  constructor(serverless: ServerlessLike) {
    const check = () => {
      const problems = deploymentProblems(readDeployment(serverless));
      if (problems.length === 0) return;
      throw new serverless.classes.Error(
        `Refusing to package stage "${serverless.service.provider.stage}" for deployment:\n` +
          `${problems.map((p) => `  - ${p}`).join('\n')}\nSee the README's Deploy checklist.`,
      );
    };
    // `deploy` runs the package lifecycle; `deploy --package <dir>` skips it, so check there too.
    this.hooks = { 'before:package:initialize': check, 'before:deploy:deploy': check };
  }
}

/** The values the template will carry, read from the resolved service. */
function readDeployment(serverless: ServerlessLike): Deployment {
  const { provider, custom, resources } = serverless.service;
  const jwt = provider.httpApi?.authorizers?.jwt;
  const split = (provider.vpc?.subnetIds as { 'Fn::Split'?: [string, unknown] } | undefined)?.['Fn::Split'];
  return {
    stage: provider.stage,
    region: provider.region,
    environment: provider.environment ?? {},
    jwtIssuerUrl: jwt?.issuerUrl,
    jwtAudience: Array.isArray(jwt?.audience) ? jwt.audience[0] : jwt?.audience,
    vpcId: resources?.Resources?.FunctionSecurityGroup?.Properties?.VpcId,
    subnetIds: split?.[1],
    operatorRoleArns: custom?.leastPrivilege?.operatorRoleArns,
    redisSecretKmsKeyArn: custom?.leastPrivilege?.redisSecretKmsKeyArn,
    consumerReservedConcurrency: serverless.service.getFunction('consumeClaims').reservedConcurrency,
    alarmTopicArn: custom?.operations?.alarmTopicArn,
    oldestMessageAgeAlarmSeconds: String(custom?.operations?.oldestMessageAgeSeconds ?? ''),
    lockTimeoutsAlarmThreshold: String(custom?.operations?.lockTimeoutsThreshold ?? ''),
  };
}
