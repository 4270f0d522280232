import * as z from '../z.ts';
import { ValidationError } from './errors.ts';
import { parseClaimId } from './ids.ts';

/** Largest amount, in minor units: 10^12 (10 billion in a two-decimal currency); far below 2^53. */
export const MAX_AMOUNT = 1_000_000_000_000;
/** Most shares in one packet. */
export const MAX_COUNT = 1_000_000;
/** Longest lifetime of a packet: 30 days. */
export const MAX_EXPIRES_IN_SECONDS = 30 * 24 * 3600;

/** An amount of money in minor units: an integer from 1 to {@link MAX_AMOUNT}. */
export const amountSchema = z
  .number()
  .check(z.int('must be an integer (minor units)'), z.minimum(1), z.maximum(MAX_AMOUNT));

/** A user id: 1-128 printable characters (it comes from a JWT `sub` or a header). */
export const userIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  );

/** Operators (IAM callers, the CLI) own packets as `op:<name>`; user ids (JWT subs) never start with it. */
export const OPERATOR_PREFIX = 'op:';

/** Who owns a packet and its account: a user id, or an operator `op:<name>` (an IAM ARN fits: 256 at most). */
export const ownerIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(256),
    z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  );

/** `POST /packets` body: the budget in minor units, the number of shares, how to split, when it expires. */
export const createPacketSchema = z
  .strictObject({
    totalAmount: amountSchema,
    count: z.number().check(z.int(), z.minimum(1), z.maximum(MAX_COUNT)),
    /** @defaultValue `'random'` ("double mean") */
    mode: z._default(z.enum(['random', 'equal']), 'random'),
    /** @defaultValue 86400 (one day) */
    expiresInSeconds: z._default(
      z.number().check(z.int(), z.minimum(1), z.maximum(MAX_EXPIRES_IN_SECONDS)),
      86_400,
    ),
  })
  .check(
    z.refine((p) => p.totalAmount >= p.count, {
      message: 'totalAmount must be at least count (every share is at least 1 unit)',
      path: ['totalAmount'],
    }),
  );

export type CreatePacketInput = z.input<typeof createPacketSchema>;
export type PacketSpec = z.output<typeof createPacketSchema>;

/** Ids of payout batches: 1-128 characters of `[A-Za-z0-9_.:-]` (never `/`, which separates a batch item's id). */
export const batchIdSchema = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[\w.:-]+$/, 'may only contain letters, digits and _ . : -'),
  );

/** A claim id as `claimIdFor` makes them: `<packetId>.<base64url(userId)>`, naming a valid user id. */
export const claimIdSchema = z.string().check(
  z.refine((id) => {
    const parsed = parseClaimId(id);
    return parsed !== null && userIdSchema.safeParse(parsed.userId).success;
  }, 'is not a claim id'),
);

/** The largest part of a Redis stream entry id (milliseconds, sequence): 2^64 − 1. */
const MAX_STREAM_ID_PART = 2n ** 64n - 1n;

/**
 * A ledger page's cursor: a ledger entry id in the form Redis writes it, `<ms>-<seq>`, two decimals
 * without leading zeros, each at most 2^64 − 1 (a larger one would fail in Redis, not here).
 */
export const ledgerCursorSchema = z
  .string()
  .check(
    z.refine(
      (cursor) =>
        /^(0|[1-9]\d{0,19})-(0|[1-9]\d{0,19})$/.test(cursor) &&
        cursor.split('-').every((part) => BigInt(part) <= MAX_STREAM_ID_PART),
      'is not a cursor this API returned',
    ),
  );

/** The last entry id a stream can hold: no entry comes after it. */
export const LAST_LEDGER_CURSOR = `${MAX_STREAM_ID_PART}-${MAX_STREAM_ID_PART}`;

/** Most ledger entries in one page. */
const MAX_PAGE_LIMIT = 1000;
const LIMIT_MESSAGE = `must be an integer from 1 to ${MAX_PAGE_LIMIT}`;

/** A page of a packet's ledger: how many entries, after which one. */
export const pageSchema = z.strictObject({
  /** @defaultValue 100 */
  limit: z._default(
    z
      .number({ error: LIMIT_MESSAGE })
      .check(z.int(LIMIT_MESSAGE), z.minimum(1, LIMIT_MESSAGE), z.maximum(MAX_PAGE_LIMIT, LIMIT_MESSAGE)),
    100,
  ),
  /** The `entryId` of the last entry of the previous page (its `nextCursor`); absent for the first page. */
  cursor: z.optional(ledgerCursorSchema),
});

/** A page as callers ask for it (`limit` optional). */
export type PageOptions = z.input<typeof pageSchema>;
/** A page as validated (`limit` filled in). */
export type Page = z.output<typeof pageSchema>;

/**
 * One item handed to `processItems`: a user's claim, or a batch payout of a given amount. A batch item is
 * identified by `(batchId, userId)`, what it pays, never by where it sat in a file or request.
 */
export const payoutItemSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('claim'), userId: userIdSchema }),
  z.strictObject({
    kind: z.literal('payout'),
    batchId: batchIdSchema,
    userId: userIdSchema,
    amount: amountSchema,
  }),
]);

export type PayoutItem = z.output<typeof payoutItemSchema>;

/** Parses `input` with `schema` or throws {@link ValidationError} listing every issue. */
export function parseOrThrow<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    what,
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}
