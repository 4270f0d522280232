import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Packaged, packageService } from '../../infra/deploy/packageService.ts';
import lock from '../../package-lock.json' with { type: 'json' };
import { readZip } from '../harness/readZip.ts';
import { killAllWorkers, spawnWorker, type WorkerMessage } from '../harness/spawnWorker.ts';

/**
 * Every HTTP function's zip stays under this (the target), so a cold start downloads, unpacks and
 * parses little more than its own route needs.
 */
const HTTP_ZIP_BOUND = 300 * 1024;
/**
 * The consumer and the scheduled functions carry the same stack as the HTTP ones (Redis, the lock, the
 * Secrets Manager client; the sweeper also the SQS client, like the producers), so nothing justifies a
 * looser bound; the consumer's cold starts also land on the claim → paid latency.
 */
const BACKGROUND_ZIP_BOUND = 300 * 1024;
/** The functions that send to the claims queue; the consumer receives through its event source. */
const PRODUCERS = ['createClaim', 'createPayoutBatch', 'sweepUnsent'];
/**
 * A key of node-zookeeper-client's error-code table (lib/Exception.js), built when the client is
 * evaluated: the code around it runs exactly when the client does. Nothing of ours spells it.
 */
const ZOOKEEPER_CLIENT_MARKER = 'RUNTIME_INCONSISTENCY';

interface FunctionPackage {
  name: string;
  http: boolean;
  zipBytes: number;
  files: Map<string, Buffer>;
}

let packaged: Packaged;
let functions: FunctionPackage[] = [];

beforeAll(() => {
  packaged = packageService();
  if (packaged.status !== 0) throw new Error(`serverless package failed:\n${packaged.output}`);
  const state = JSON.parse(readFileSync(join(packaged.dir, 'serverless-state.json'), 'utf8')) as {
    service: { functions: Record<string, { events?: Record<string, unknown>[] }> };
  };
  functions = Object.entries(state.service.functions).map(([name, fn]) => {
    const zip = join(packaged.dir, `${name}.zip`);
    return {
      name,
      http: (fn.events ?? []).some((event) => 'httpApi' in event),
      zipBytes: statSync(zip).size,
      files: readZip(zip),
    };
  });
}, 150_000);
afterAll(() => rmSync(packaged.dir, { recursive: true, force: true }));

const bundleOf = (fn: FunctionPackage) => fn.files.get(`functions/${fn.name}.mjs`)?.toString('utf8') ?? '';
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
/** The version of `pkg` whose package.json esbuild inlined into a bundle (an SDK client's does). */
const bundledVersion = (bundle: string, pkg: string) =>
  bundle.match(new RegExp(`name:"${pkg.replace('/', '\\/')}",version:"([^"]+)"`))?.[1];
const lockedVersion = (pkg: string) =>
  (lock.packages as Record<string, { version?: string }>)[`node_modules/${pkg}`]?.version;

describe('function packages', () => {
  it('every HTTP function is under 300 KB zipped', () => {
    const http = functions.filter((fn) => fn.http);
    expect(http.map((fn) => fn.name)).toContain('getPacket');
    const over = http
      .filter((fn) => fn.zipBytes >= HTTP_ZIP_BOUND)
      .map((fn) => `${fn.name}: ${kb(fn.zipBytes)}`);
    expect(over).toEqual([]);
  });

  it('the consumer and the scheduled functions are under 300 KB zipped too', () => {
    const background = functions.filter((fn) => !fn.http);
    expect(background.map((fn) => fn.name)).toEqual(expect.arrayContaining(['consumeClaims', 'sweepUnsent']));
    const over = background
      .filter((fn) => fn.zipBytes >= BACKGROUND_ZIP_BOUND)
      .map((fn) => `${fn.name}: ${kb(fn.zipBytes)}`);
    expect(over).toEqual([]);
  });

  it('each zip holds a minified bundle and, beside it, the source map its sourceMappingURL names', () => {
    for (const fn of functions) {
      expect([...fn.files.keys()].sort(), fn.name).toEqual([
        `functions/${fn.name}.mjs`,
        `functions/${fn.name}.mjs.map`,
      ]);
      const bundle = bundleOf(fn);
      // Unminified, esbuild heads each module with a comment naming its file and writes ~30 lines a KB;
      // minified, neither (what lines there are come from the Lua scripts' template literals).
      expect(bundle, fn.name).not.toMatch(/^\/\/ (lib|functions|node_modules)\//m);
      expect(bundle.split('\n').length / (bundle.length / 1024), `${fn.name}: lines per KB`).toBeLessThan(10);
      expect(bundle.trimEnd().endsWith(`//# sourceMappingURL=${fn.name}.mjs.map`), fn.name).toBe(true);
      expect(bundle, fn.name).not.toContain('sourceMappingURL=data:');
      const map = JSON.parse(fn.files.get(`functions/${fn.name}.mjs.map`)?.toString('utf8') ?? '{}');
      expect(map, fn.name).toMatchObject({ version: 3, mappings: expect.any(String) });
      expect(map.sources, fn.name).toContainEqual(
        expect.stringMatching(new RegExp(`functions/${fn.name}\\.ts$`)),
      );
    }
  });

  it('the AWS SDK is bundled at its locked version, and the SQS client only in the producers', () => {
    for (const fn of functions) {
      const bundle = bundleOf(fn);
      // Nothing is left to the runtime's SDK: no import of @aws-sdk survives bundling.
      expect(bundle, fn.name).not.toMatch(/(from|import\()\s*"@aws-sdk\//);
      const secrets = bundledVersion(bundle, '@aws-sdk/client-secrets-manager');
      if (secrets !== undefined)
        expect(secrets, fn.name).toBe(lockedVersion('@aws-sdk/client-secrets-manager'));
      if (PRODUCERS.includes(fn.name)) {
        expect(bundledVersion(bundle, '@aws-sdk/client-sqs'), fn.name).toBe(
          lockedVersion('@aws-sdk/client-sqs'),
        );
      } else {
        expect(bundle, fn.name).not.toContain('@aws-sdk/client-sqs');
      }
    }
    const reader = functions.find((fn) => fn.name === 'getPacket');
    expect(bundledVersion(bundleOf(reader as FunctionPackage), '@aws-sdk/client-secrets-manager')).toBe(
      lockedVersion('@aws-sdk/client-secrets-manager'),
    );
  });
});

describe('a bundle evaluates the ZooKeeper client only when LOCK_BACKEND is zookeeper', () => {
  let dir = '';
  afterEach(() => killAllWorkers());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** getPacket's bundle, unpacked, handling one request under `lockBackend`; the sources that ran code. */
  const probe = async (lockBackend: string) => {
    const fn = functions.find((f) => f.name === 'getPacket') as FunctionPackage;
    dir ||= mkdtempSync(join(tmpdir(), 'rp-bundle-'));
    for (const [path, data] of fn.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), data);
    }
    const worker = spawnWorker('bundleProbe', {
      BUNDLE: join(dir, 'functions/getPacket.mjs'),
      HANDLER_EVENT: JSON.stringify({
        version: '2.0',
        rawPath: '/packets/pk_probe',
        headers: {},
        requestContext: {
          http: { method: 'GET', path: '/packets/pk_probe' },
          authorizer: { jwt: { claims: { sub: 'u1' } } },
        },
        pathParameters: { packetId: 'pk_probe' },
        isBase64Encoded: false,
      }),
      STAGE: 'probe',
      // A port nothing listens on: the request fails at once, after the services were built.
      REDIS_URL: 'redis://127.0.0.1:1',
      REDIS_SECRET_ID: '',
      CLAIMS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/claims',
      LOCK_BACKEND: lockBackend,
      ZOOKEEPER_CONNECT: '127.0.0.1:1/rp',
      LOG_LEVEL: 'silent',
      MARKERS: JSON.stringify([ZOOKEEPER_CLIENT_MARKER]),
    });
    type Ran = WorkerMessage & { sources: string[]; markers: Record<string, string>; outcome: string };
    const ran = await worker.next<Ran>('ran', 30_000);
    return {
      ...ran,
      client: ran.markers[ZOOKEEPER_CLIENT_MARKER],
      zookeeper: ran.sources.filter((s) => s.includes('lib/lock/zookeeper/')),
    };
  };

  it('redis-getset: neither the client nor our ZooKeeper modules run (the control: the services were built)', async () => {
    const { sources, client, zookeeper, outcome } = await probe('redis-getset');
    expect(sources).toContainEqual(expect.stringMatching(/lib\/runtime\/services\.ts$/));
    expect(sources).toContainEqual(expect.stringMatching(/lib\/lock\/createRedisLock\.ts$/));
    expect(outcome).toBe('503');
    expect(client).toBe('not run');
    expect(zookeeper).toEqual([]);
  });

  it('zookeeper: the client and the ZooKeeper session module run', async () => {
    const { client, zookeeper } = await probe('zookeeper');
    expect(client).toBe('ran');
    expect(zookeeper).toContainEqual(expect.stringMatching(/lib\/lock\/zookeeper\/ZooKeeperSession\.ts$/));
  });
});
