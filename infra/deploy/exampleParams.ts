/**
 * A complete, secure set of deployment params with placeholder ids (`--param name=value`): what the
 * README's Deploy checklist asks for. The template tests and `npm run lint:template` render with them.
 */
export const EXAMPLE_PARAMS: Readonly<Record<string, string>> = {
  redisUrl: 'rediss://master.rp-prod.abc123.use1.cache.amazonaws.com:6379',
  redisSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rp/redis-AbCdEf',
  jwtIssuerUrl: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example',
  jwtAudience: 'red-packets-app',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
};
