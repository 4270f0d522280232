import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServer, startRedisServer } from '../../../infra/local/redisServer.ts';
import { ConfigError } from '../../../lib/runtime/config.ts';
import { readRedisSecret } from '../../../lib/runtime/readRedisSecret.ts';
import { fundedPacket } from '../../harness/funding.ts';
import { useMoto } from '../../harness/motoFixture.ts';

// The Redis credentials as a deployment keeps them: in a Secrets Manager secret (here moto_server, a real
// implementation of the API on loopback), read at cold start; Redis (a private redis-server) admits only
// the ACL user in that secret. Nothing about the password is in the functions' environment.
const moto = useMoto();
const PASSWORD = 'Xq9/@s3cret:pa55';
let redis: RedisServer;
let secrets: SecretsManagerClient;
const saved = { ...process.env };

beforeAll(async () => {
  redis = await startRedisServer({
    persistence: 'none',
    args: ['--user', 'default', 'off', '--user', 'payouts', 'on', `>${PASSWORD}`, '~*', '&*', '+@all'],
  });
  Object.assign(process.env, {
    STAGE: 'test',
    REDIS_URL: redis.url,
    CLAIMS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/claims',
    SECRETS_MANAGER_ENDPOINT: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    LOG_LEVEL: 'silent',
  });
  secrets = new SecretsManagerClient({ region: 'us-east-1', endpoint: moto.endpoint });
});
afterAll(async () => {
  process.env = saved;
  await redis.stop();
});

/** A fresh copy of the services module: what a new Lambda container loads. */
async function coldStart() {
  vi.resetModules();
  return import('../../../lib/runtime/services.ts');
}

describe('Redis credentials from Secrets Manager', () => {
  it('without the secret, Redis refuses the functions (the control)', async () => {
    delete process.env.REDIS_SECRET_ID;
    const { getServices } = await coldStart();
    const { redis: client } = await getServices();
    await expect(client.ping()).rejects.toThrow(/NOAUTH|WRONGPASS|disabled/i);
    client.disconnect();
  });

  it('a secret not there yet fails the cold start; the next invocation reads it once it exists', async () => {
    process.env.REDIS_SECRET_ID = 'rp/redis-later';
    const { getServices } = await coldStart();
    await expect(getServices()).rejects.toThrow(/ResourceNotFound|can't find/i);

    const { ARN } = await secrets.send(
      new CreateSecretCommand({
        Name: 'rp/redis-later',
        SecretString: JSON.stringify({ username: 'payouts', password: PASSWORD }),
      }),
    );
    expect(ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:rp\/redis-later-\w{6}$/);
    const { redis: client, packets } = await getServices();
    expect(await client.call('ACL', 'WHOAMI')).toBe('payouts');
    const { packetId } = await fundedPacket(packets, { totalAmount: 300, count: 3, mode: 'equal' });
    expect(await packets.recordClaim(packetId, 'u1')).toBeTruthy();
    client.disconnect();
  });

  it('by ARN, as deployed: the function works as the ACL user, and its environment holds no password', async () => {
    const { ARN } = await secrets.send(
      new CreateSecretCommand({
        Name: 'rp/redis',
        SecretString: JSON.stringify({ username: 'payouts', password: PASSWORD }),
      }),
    );
    process.env.REDIS_SECRET_ID = ARN;
    const { getServices } = await coldStart();
    const { redis: client, config } = await getServices();
    expect(await client.call('ACL', 'WHOAMI')).toBe('payouts');
    expect(JSON.stringify(process.env)).not.toContain(PASSWORD);
    expect(JSON.stringify(config)).not.toContain(PASSWORD);
    client.disconnect();
  });

  it('reads a JSON {username, password} or a bare password; anything else is a ConfigError', async () => {
    const put = async (name: string, value: string) =>
      (await secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }))).ARN ?? '';
    expect(await readRedisSecret(secrets, await put('bare', PASSWORD))).toEqual({ password: PASSWORD });
    expect(await readRedisSecret(secrets, await put('json', `{"password":"${PASSWORD}"}`))).toEqual({
      password: PASSWORD,
    });
    const bad = await put('bad', '{"username": "payouts"}');
    await expect(readRedisSecret(secrets, bad)).rejects.toThrow(ConfigError);
    await secrets.send(new PutSecretValueCommand({ SecretId: bad, SecretString: '{not json' }));
    await expect(readRedisSecret(secrets, bad)).rejects.toThrow(/not valid JSON/);
    await expect(readRedisSecret(secrets, bad)).rejects.not.toThrow(/\{not json/); // never echoes the value
  });
});
