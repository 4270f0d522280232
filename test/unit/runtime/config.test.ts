import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  LOCK_TAKEOVER_MARGIN_MS,
  loadConfig,
  lockBackendOptions,
  trustsIdentityHeaders,
} from '../../../lib/runtime/config.ts';

const base = {
  STAGE: 'local',
  REDIS_URL: 'redis://127.0.0.1:6390',
  CLAIMS_QUEUE_URL: 'http://127.0.0.1:4566/000/claims',
};

describe('loadConfig: the lock backend', () => {
  it('defaults to redis-getset; an empty value counts as unset', () => {
    expect(loadConfig(base).LOCK_BACKEND).toBe('redis-getset');
    expect(loadConfig({ ...base, LOCK_BACKEND: '' }).LOCK_BACKEND).toBe('redis-getset');
    expect(loadConfig({ ...base, LOCK_BACKEND: 'redis-setnx' }).LOCK_BACKEND).toBe('redis-setnx');
  });

  it('zookeeper takes a connect string with a chroot and a session timeout', () => {
    const config = loadConfig({
      ...base,
      LOCK_BACKEND: 'zookeeper',
      ZOOKEEPER_CONNECT: '10.0.0.1:2181,10.0.0.2:2181/red-packets',
      ZOOKEEPER_SESSION_TIMEOUT_MS: '4000',
    });
    expect(config).toMatchObject({
      ZOOKEEPER_CONNECT: '10.0.0.1:2181,10.0.0.2:2181/red-packets',
      ZOOKEEPER_SESSION_TIMEOUT_MS: 4000,
    });
  });

  it.each([
    [{ LOCK_BACKEND: 'zookeeper' }, /ZOOKEEPER_CONNECT: is required when LOCK_BACKEND is zookeeper/],
    [{ LOCK_BACKEND: 'zookeeper', ZOOKEEPER_CONNECT: 'zk.local' }, /ZOOKEEPER_CONNECT: must be host:port/],
    [{ LOCK_BACKEND: 'etcd' }, /LOCK_BACKEND/],
    [{ ZOOKEEPER_SESSION_TIMEOUT_MS: '10' }, /ZOOKEEPER_SESSION_TIMEOUT_MS/],
  ])('%j is a ConfigError', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});

describe('loadConfig: the packet lock', () => {
  it('defaults to a 5 s lease, 100 ms drift, the Redis clock and a wait that outlasts a takeover', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      LOCK_TTL_MS: 5000,
      LOCK_DRIFT_MS: 100,
      LOCK_CLOCK: 'redis',
      LOCK_WAIT_MS: 8000,
    });
    expect(lockBackendOptions(config)).toEqual({
      backend: 'redis-getset',
      zookeeperSession: { sessionTimeoutMs: 6000 },
      redisLock: { ttlMs: 5000, driftMs: 100, clock: 'redis', waitMs: 8000 },
    });
  });

  it('takes a wait of exactly the takeover time plus the margin', () => {
    const env = { ...base, LOCK_TTL_MS: '1000', LOCK_DRIFT_MS: '50', LOCK_CLOCK: 'local' };
    const config = loadConfig({ ...env, LOCK_WAIT_MS: String(1050 + LOCK_TAKEOVER_MARGIN_MS) });
    expect(lockBackendOptions(config).redisLock).toEqual({
      ttlMs: 1000,
      driftMs: 50,
      clock: 'local',
      waitMs: 1550,
    });
  });

  it.each([
    [
      { LOCK_WAIT_MS: '5000' },
      /LOCK_WAIT_MS: must be at least 5600 ms: the takeover .*LOCK_TTL_MS \+ LOCK_DRIFT_MS = 5100 ms/,
    ],
    [
      { LOCK_TTL_MS: '1000', LOCK_DRIFT_MS: '50', LOCK_WAIT_MS: '1549' },
      /LOCK_WAIT_MS: must be at least 1550 ms/,
    ],
    [
      { LOCK_BACKEND: 'zookeeper', ZOOKEEPER_CONNECT: 'zk:2181/rp', ZOOKEEPER_SESSION_TIMEOUT_MS: '9000' },
      /LOCK_WAIT_MS: must be at least 9500 ms: the takeover .*ZOOKEEPER_SESSION_TIMEOUT_MS = 9000 ms/,
    ],
    [{ LOCK_CLOCK: 'ntp' }, /LOCK_CLOCK/],
    [{ LOCK_TTL_MS: '50' }, /LOCK_TTL_MS/],
    [{ LOCK_DRIFT_MS: '-1' }, /LOCK_DRIFT_MS/],
  ])('%j is a ConfigError', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});

describe('loadConfig: the Redis mode and durability', () => {
  it('defaults to standalone with no replicas to wait for', () => {
    expect(loadConfig(base)).toMatchObject({
      REDIS_MODE: 'standalone',
      REDIS_MIN_REPLICAS: 0,
      REDIS_WAIT_TIMEOUT_MS: 500,
    });
  });

  it('cluster mode takes comma-separated seed nodes, as URLs or host:port', () => {
    const config = loadConfig({
      ...base,
      REDIS_MODE: 'cluster',
      REDIS_URL: 'rediss://u:p@node-1.cache:6379,node-2.cache:6379',
      REDIS_MIN_REPLICAS: '1',
      REDIS_WAIT_TIMEOUT_MS: '200',
    });
    expect(config).toMatchObject({
      REDIS_MODE: 'cluster',
      REDIS_MIN_REPLICAS: 1,
      REDIS_WAIT_TIMEOUT_MS: 200,
    });
  });

  it.each([
    [{ REDIS_URL: 'http://cache:6379' }, /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ REDIS_URL: 'redis://a:1,redis://b:2' }, /REDIS_URL: must be a redis/],
    [{ REDIS_MODE: 'cluster', REDIS_URL: 'cache' }, /REDIS_URL: must be comma-separated seed nodes/],
    [{ REDIS_MODE: 'sentinel' }, /REDIS_MODE/],
    [{ REDIS_MIN_REPLICAS: '-1' }, /REDIS_MIN_REPLICAS/],
    [{ REDIS_WAIT_TIMEOUT_MS: '0' }, /REDIS_WAIT_TIMEOUT_MS/],
  ])('%j is a ConfigError', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});

describe('loadConfig: the stage fails closed', () => {
  it('has no default stage: a missing STAGE is a ConfigError, not the local stage', () => {
    const { STAGE: _, ...withoutStage } = base;
    expect(() => loadConfig(withoutStage)).toThrow(/STAGE/);
    expect(() => loadConfig({ ...withoutStage, STAGE: '' })).toThrow(/STAGE/);
  });

  it('a deployed stage refuses credentials in REDIS_URL (they come from REDIS_SECRET_ID); local takes them', () => {
    for (const url of ['redis://:pw@cache:6379', 'rediss://user:p@ss/w@rd@cache:6379']) {
      expect(() => loadConfig({ ...base, STAGE: 'prod', REDIS_URL: url })).toThrow(/REDIS_SECRET_ID/);
      expect(loadConfig({ ...base, REDIS_URL: url }).REDIS_URL).toBe(url);
    }
    const seeds = 'rediss://node-1.cache:6379,rediss://u:pw@node-2.cache:6379';
    expect(() => loadConfig({ ...base, STAGE: 'prod', REDIS_MODE: 'cluster', REDIS_URL: seeds })).toThrow(
      /must not carry a user or password/,
    );
    expect(
      loadConfig({ ...base, STAGE: 'prod', REDIS_URL: 'rediss://cache:6379', REDIS_SECRET_ID: 'arn:x' }),
    ).toMatchObject({ REDIS_SECRET_ID: 'arn:x' });
  });

  it('trusts identity headers only on the local stage under serverless-offline', () => {
    expect(trustsIdentityHeaders(loadConfig({ ...base, IS_OFFLINE: 'true' }))).toBe(true);
    expect(trustsIdentityHeaders(loadConfig(base))).toBe(false);
    expect(trustsIdentityHeaders(loadConfig({ ...base, STAGE: 'prod', IS_OFFLINE: 'true' }))).toBe(false);
  });
});
