import { Redis } from 'ioredis';
import { awaitTerminal, sendClaims } from '../infra/demo/claimLoad.ts';
import { createFundedPacket } from '../infra/local/fundedPacket.ts';
import type { LocalStack } from '../infra/local/startLocalStack.ts';
import { createRedPackets } from '../lib/packets/index.ts';
import type { StepReporter } from './progress.ts';
import { median } from './report.ts';
import type { SqsTap } from './sqsTap.ts';
import { withoutReservations } from './withoutReservations.ts';

/** The door reserving shares (grab, then open), and the door as it was (bench/withoutReservations.ts). */
export const RUSH_DOORS = ['reserving', 'without reservations'] as const;
export type RushDoor = (typeof RUSH_DOORS)[number];

/** Options of {@link runRushSuite}. */
export interface RushSuiteOptions {
  /** The local stack, its SQS endpoint behind `tap` (see `startRushStack`). */
  stack: LocalStack;
  tap: SqsTap;
  /** Shares of the hot packet. @defaultValue 1000 */
  shares: number;
  /** Claims per round, each from its own user. @defaultValue 20000 */
  claims: number;
  /** Concurrent HTTP clients. @defaultValue 200 */
  clients: number;
  /** Rounds of each door, after an untimed warm-up; the doors take turns going first. @defaultValue 3 */
  repeats: number;
  step?: StepReporter;
}

/** What one round measured. */
export interface RushRun {
  /** Requests the door answered per second (202 and 410 alike), first request to last answer. */
  answeredPerSec: number;
  /** 202 answers. */
  accepted: number;
  /** 410 `packet_exhausted` answers. */
  turnedAway: number;
  /** Claims answered 202 and later rejected. */
  rejectedAfter202: number;
  /** From the first request to the last share's payout. */
  allPaidMs: number;
  /** Claim messages of the packet the emulator accepted (redeliveries not included). */
  messages: number;
  /** Of them, deliveries to consumers (redeliveries included). */
  delivered: number;
  /** Consumer invocations that carried at least one of the packet's messages. */
  invocations: number;
  /** Every share paid, every request answered, reconcile clean. */
  ok: boolean;
}

/** One door: every round, the medians, and ratios to the other door's rounds (median of per-round ratios). */
export interface RushCell {
  door: RushDoor;
  runs: RushRun[];
  median: RushRun;
  /** This door's answered/s over the old door's, round by round (1 for the old door itself). */
  answeredRatio: number;
  /** This door's time to every share paid over the old door's. */
  allPaidRatio: number;
  /** This door's consumer invocations over the old door's. */
  invocationsRatio: number;
}

export const rushSuiteSteps = (options: Pick<RushSuiteOptions, 'repeats'>) =>
  1 + options.repeats * RUSH_DOORS.length;

/**
 * One hot packet of `shares` shares rushed by `claims` distinct users over HTTP through the local stack,
 * queue-driven consumers paying them; each door in turn, `repeats` rounds. Counts at the emulator (the
 * tap) what the queue received and how many consumer invocations it fed.
 */
export async function runRushSuite(options: RushSuiteOptions): Promise<RushCell[]> {
  const runs = new Map<RushDoor, RushRun[]>(RUSH_DOORS.map((door) => [door, []]));
  const redis = new Redis(options.stack.redisUrl, { maxRetriesPerRequest: 1 });
  try {
    // Untimed: the first requests of a fresh stack start its functions (cold starts, JIT).
    options.step?.('warm-up (not measured)');
    await measure({ ...options, claims: Math.min(2000, options.claims) }, redis, 'reserving', -1);
    for (let rep = 0; rep < options.repeats; rep++) {
      // Each door goes first in every other round, so neither always runs on the warmer stack.
      const order = rep % 2 === 0 ? RUSH_DOORS : [...RUSH_DOORS].reverse();
      for (const door of order) {
        options.step?.(
          `${door}: ${options.claims} claims on ${options.shares} shares, ${options.clients} clients (run ${rep + 1}/${options.repeats})`,
        );
        runs.get(door)?.push(await measure(options, redis, door, rep));
      }
    }
  } finally {
    redis.disconnect();
  }
  const old = runs.get('without reservations') ?? [];
  return RUSH_DOORS.map((door): RushCell => {
    const mine = runs.get(door) ?? [];
    const m = (pick: (r: RushRun) => number) => median(mine.map(pick));
    const ratio = (pick: (r: RushRun) => number) =>
      median(mine.map((r, i) => pick(r) / Math.max(1e-9, pick(old[i] ?? r))));
    return {
      door,
      runs: mine,
      median: {
        answeredPerSec: m((r) => r.answeredPerSec),
        accepted: m((r) => r.accepted),
        turnedAway: m((r) => r.turnedAway),
        rejectedAfter202: m((r) => r.rejectedAfter202),
        allPaidMs: m((r) => r.allPaidMs),
        messages: m((r) => r.messages),
        delivered: m((r) => r.delivered),
        invocations: m((r) => r.invocations),
        ok: mine.every((r) => r.ok),
      },
      answeredRatio: ratio((r) => r.answeredPerSec),
      allPaidRatio: ratio((r) => r.allPaidMs),
      invocationsRatio: ratio((r) => r.invocations),
    };
  });
}

async function measure(
  options: RushSuiteOptions,
  redis: Redis,
  door: RushDoor,
  rep: number,
): Promise<RushRun> {
  const { stack, tap, shares, claims: count } = options;
  const created = await createFundedPacket(stack.httpUrl, { totalAmount: shares * 1000, count: shares });
  const { packetId } = created.body as { packetId: string };
  const restore = door === 'reserving' ? async () => undefined : await withoutReservations(redis, packetId);
  const claims = Array.from({ length: count }, (_, i) => ({
    packetId,
    userId: `rush-${rep}-${door === 'reserving' ? 'r' : 'o'}-${i}`,
  }));
  const started = Date.now();
  const sent = await sendClaims(stack.httpUrl, claims, options.clients);
  const states = await awaitTerminal(stack.httpUrl, sent.accepted, { concurrency: 50, timeoutMs: 600_000 });
  // Every accepted claim is decided; the counter can take its offset back (see withoutReservations).
  await restore();
  const all = [...states.values()];
  const paid = all.filter((c) => c.status === 'paid');
  const lastPaid = Math.max(...paid.map((c) => c.paidAt ?? 0));
  const report = await createRedPackets(redis).reconcile(packetId);
  const seen = tap.count((body) => body.includes(packetId));
  return {
    answeredPerSec: (sent.accepted.length + sent.gone) / (sent.elapsedMs / 1000),
    accepted: sent.accepted.length,
    turnedAway: sent.gone,
    rejectedAfter202: all.filter((c) => c.status === 'rejected').length,
    allPaidMs: lastPaid - started,
    messages: seen.sent,
    delivered: seen.delivered,
    invocations: seen.invocations,
    ok: paid.length === shares && sent.failed === 0 && report.ok,
  };
}
