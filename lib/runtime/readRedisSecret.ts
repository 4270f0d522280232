import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from './config.ts';

/** What Redis `AUTH` needs: an ElastiCache RBAC user and its password, or the password alone. */
export interface RedisCredentials {
  username?: string;
  password: string;
}

/**
 * The Redis credentials in Secrets Manager secret `secretId`: a JSON object `{"username"?, "password"}`
 * (the shape ElastiCache's RBAC rotation writes) or a plain string that is the password. Read once per
 * container, so no credential is ever in the function's environment or the CloudFormation template.
 * Throws {@link ConfigError} (permanent: fix the secret) when the secret holds something else; the SDK's
 * own errors (access denied, not found, timeouts) pass through.
 */
export async function readRedisSecret(
  client: SecretsManagerClient,
  secretId: string,
): Promise<RedisCredentials> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (!SecretString) throw new ConfigError(`secret ${secretId} has no string value (REDIS_SECRET_ID)`);
  if (!SecretString.trimStart().startsWith('{')) return { password: SecretString };
  let value: unknown;
  try {
    value = JSON.parse(SecretString);
  } catch {
    throw new ConfigError(`secret ${secretId} is not valid JSON (REDIS_SECRET_ID)`);
  }
  const { username, password } = (value ?? {}) as Record<string, unknown>;
  if (
    typeof password !== 'string' ||
    password === '' ||
    (username !== undefined && typeof username !== 'string')
  ) {
    throw new ConfigError(
      `secret ${secretId} must be {"username"?: string, "password": string} or the password (REDIS_SECRET_ID)`,
    );
  }
  return { ...(username ? { username } : {}), password };
}
