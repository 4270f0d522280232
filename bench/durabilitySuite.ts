import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedisCluster } from '../infra/local/redisCluster.ts';
import { startRedisReplicaSet } from '../infra/local/redisReplicaSet.ts';
import { type RedisServer, startRedisServer } from '../infra/local/redisServer.ts';
import { createRedPackets } from '../lib/packets/index.ts';
import { createRedisClient } from '../lib/runtime/redisClient.ts';
import { runTask, share } from './benchProcesses.ts';
import type { DurabilityReport, DurabilityTask } from './durabilityWorker.ts';
import { median, percentile } from './report.ts';

/** One store set-up of the durability bench. */
export interface DurabilityScenario {
  name: string;
  /** What it stands for in production. */
  means: string;
}

export const DURABILITY_SCENARIOS: readonly DurabilityScenario[] = [
  { name: 'one node, AOF everysec', means: 'a single node (the default of the local stack and tests)' },
  { name: 'one node, AOF always', means: 'a single node that fsyncs every write before replying' },
  { name: 'primary + replica, REDIS_MIN_REPLICAS=0', means: 'ElastiCache with a replica, no WAIT' },
  { name: 'primary + replica, REDIS_MIN_REPLICAS=1', means: 'ElastiCache with a replica and WAIT 1' },
  { name: 'cluster of 3 primaries', means: 'cluster mode, 3 shards on this one machine' },
];

/** Medians over the repeats of one scenario. */
export interface DurabilityCell {
  scenario: string;
  claimsPerSec: number;
  doorP50Ms: number;
  doorP99Ms: number;
  consumerP99Ms: number;
  commandsPerClaim: number;
  /** Redis CPU seconds per 1,000 claims, summed over the primaries. */
  redisCpuMsPerClaim: number;
  /** The busiest primary's share of that CPU (1 for one node, ~1/3 for 3 even shards). */
  busiestShardShare: number;
  /** claims/s ÷ the first scenario's claims/s in the same round. */
  ratio: number;
  retries: number;
  reconciled: boolean;
}

export interface DurabilityOptions {
  workers: ChildProcess[];
  durationMs: number;
  repeats: number;
  /** Called before each measured run, for progress. */
  step?: (label: string) => void;
}

/** 100 packets, 16 loops over 2 processes, groups of 10: enough load to show what each store costs. */
const PACKETS = 100;
const LOOPS = 16;
const GROUP = 10;

export const durabilitySuiteSteps = (options: { repeats: number }) =>
  DURABILITY_SCENARIOS.length * options.repeats;

interface Store {
  url: string;
  mode: 'standalone' | 'cluster';
  minReplicas: number;
  primaries: RedisServer[];
  stop(): Promise<void>;
}

async function startStore(index: number): Promise<Store> {
  switch (index) {
    case 0:
    case 1: {
      const server = await startRedisServer({ args: index === 1 ? ['--appendfsync', 'always'] : [] });
      return {
        url: server.url,
        mode: 'standalone',
        minReplicas: 0,
        primaries: [server],
        stop: () => server.stop(),
      };
    }
    case 2:
    case 3: {
      const set = await startRedisReplicaSet();
      return {
        url: set.primary.url,
        mode: 'standalone',
        minReplicas: index === 3 ? 1 : 0,
        primaries: [set.primary],
        stop: () => set.stop(),
      };
    }
    default: {
      const cluster = await startRedisCluster({ primaries: 3, replicasPerPrimary: 0 });
      return {
        url: cluster.seeds,
        mode: 'cluster',
        minReplicas: 0,
        primaries: cluster.nodes.map((n) => n.server),
        stop: () => cluster.stop(),
      };
    }
  }
}

/** CPU seconds (user + sys) and commands executed so far, per server. */
async function usage(servers: readonly RedisServer[]): Promise<Array<{ cpu: number; commands: number }>> {
  return Promise.all(
    servers.map(async (server) => {
      const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
      try {
        const [cpu, stats] = [await admin.info('cpu'), await admin.info('commandstats')];
        const value = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
        let commands = 0;
        for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
          if (m[1] !== 'info') commands += Number(m[2]);
        return { cpu: value('used_cpu_sys') + value('used_cpu_user'), commands };
      } finally {
        admin.disconnect();
      }
    }),
  );
}

/**
 * The durability bench: the same load (door + consumer for fresh claims on 100 packets) against each store
 * set-up, one after the other, `repeats` rounds; every round measures all scenarios so the ratios compare
 * runs taken minutes apart at most.
 */
export async function runDurabilitySuite(options: DurabilityOptions): Promise<DurabilityCell[]> {
  const rounds: Array<Array<Omit<DurabilityCell, 'ratio'>>> = [];
  for (let round = 0; round < options.repeats; round++) {
    const cells: Array<Omit<DurabilityCell, 'ratio'>> = [];
    for (const [index, scenario] of DURABILITY_SCENARIOS.entries()) {
      options.step?.(`round ${round + 1}/${options.repeats}: ${scenario.name}`);
      const store = await startStore(index);
      try {
        cells.push({ scenario: scenario.name, ...(await measure(options, store)) });
      } finally {
        await store.stop();
      }
    }
    rounds.push(cells);
  }
  return DURABILITY_SCENARIOS.map((scenario, i) => {
    const runs = rounds.map((cells) => cells[i] as Omit<DurabilityCell, 'ratio'>);
    const ratios = rounds.map(
      (cells) => (cells[i]?.claimsPerSec ?? 0) / Math.max(1e-9, cells[0]?.claimsPerSec ?? 0),
    );
    const m = (f: (r: Omit<DurabilityCell, 'ratio'>) => number) => median(runs.map(f));
    return {
      scenario: scenario.name,
      claimsPerSec: m((r) => r.claimsPerSec),
      doorP50Ms: m((r) => r.doorP50Ms),
      doorP99Ms: m((r) => r.doorP99Ms),
      consumerP99Ms: m((r) => r.consumerP99Ms),
      commandsPerClaim: m((r) => r.commandsPerClaim),
      redisCpuMsPerClaim: m((r) => r.redisCpuMsPerClaim),
      busiestShardShare: m((r) => r.busiestShardShare),
      ratio: median(ratios),
      retries: runs.reduce((n, r) => n + r.retries, 0),
      reconciled: runs.every((r) => r.reconciled),
    };
  });
}

async function measure(
  options: DurabilityOptions,
  store: Store,
): Promise<Omit<DurabilityCell, 'scenario' | 'ratio'>> {
  const client = createRedisClient({ url: store.url, mode: store.mode }, { maxRetriesPerRequest: 1 });
  const rp = createRedPackets(client);
  try {
    const packets: string[] = [];
    for (let i = 0; i < PACKETS; i++) {
      packets.push(
        (
          await rp.fundAndCreatePacket(
            { totalAmount: 1_000_000_000_000, count: 1_000_000 },
            `op:bench-${randomUUID()}`,
            randomUUID(),
          )
        ).packetId,
      );
    }
    const before = await usage(store.primaries);
    const started = performance.now();
    const reports = await Promise.all(
      options.workers.map((w, i) =>
        runTask<DurabilityReport>(w, {
          type: 'run',
          redisUrl: store.url,
          redisMode: store.mode,
          minReplicas: store.minReplicas,
          packets,
          loops: share(LOOPS, options.workers.length, i),
          groupSize: GROUP,
          durationMs: options.durationMs,
        } satisfies DurabilityTask),
      ),
    );
    const elapsedSec = (performance.now() - started) / 1000;
    const after = await usage(store.primaries);
    const claims = reports.reduce((n, r) => n + r.claims, 0);
    const cpu = after.map((a, i) => a.cpu - (before[i]?.cpu ?? 0));
    const commands = after.reduce((n, a, i) => n + a.commands - (before[i]?.commands ?? 0), 0);
    const door = reports.flatMap((r) => r.door).sort((a, b) => a - b);
    const consumer = reports.flatMap((r) => r.consumer).sort((a, b) => a - b);
    const totalCpu = cpu.reduce((a, b) => a + b, 0);
    let reconciled = true;
    for (const packetId of packets) reconciled &&= (await rp.reconcile(packetId)).ok;
    return {
      claimsPerSec: claims / elapsedSec,
      doorP50Ms: percentile(door, 0.5),
      doorP99Ms: percentile(door, 0.99),
      consumerP99Ms: percentile(consumer, 0.99),
      commandsPerClaim: commands / Math.max(1, claims),
      redisCpuMsPerClaim: (totalCpu * 1000) / Math.max(1, claims),
      busiestShardShare: totalCpu > 0 ? Math.max(...cpu) / totalCpu : 1,
      retries: reports.reduce((n, r) => n + r.retries, 0),
      reconciled,
    };
  } finally {
    client.disconnect();
  }
}
