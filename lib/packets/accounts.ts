import { createScript } from '../lock/index.ts';
import * as z from '../z.ts';
import { confirmDurable } from './confirmDurable.ts';
import { CreditConflictError, ValidationError } from './errors.ts';
import { ownerKeys } from './keys.ts';
import type { PacketsContext } from './PacketsContext.ts';
import { amountSchema, ownerIdSchema, parseOrThrow } from './schemas.ts';

/** Most money one account may hold, in minor units: 10^15, so that every sum stays far below 2^53. */
export const MAX_BALANCE = 1_000_000_000_000_000;

/** An owner's account: what it may still spend, and where its money went. */
export interface Account {
  owner: string;
  /** What it may fund packets with now. */
  balance: number;
  /** Every credit, ever. */
  credited: number;
  /** Moved into packets when they were created. */
  funded: number;
  /** Paid out of its packets to claimers and batch payees. */
  paidOut: number;
  /** Back from its settled packets. */
  refunded: number;
  /** Its packets not settled yet (their remainders are still in them). */
  openPackets: number;
}

/**
 * Credits `amount` to `owner` once per `reference` (retrying a credit is safe; the same reference with
 * another amount is a `CreditConflictError`). KEYS[1] account, KEYS[2] credits. ARGV[1] reference,
 * ARGV[2] amount, ARGV[3] the most a balance may hold. Returns `{1, balance}` credited now, `{0, balance}`
 * credited before, `{-1, recorded}` conflict, `{-2, balance}` the balance would pass the maximum.
 */
const creditScript = createScript<[1 | 0 | -1 | -2, string | number]>(`
local prior = redis.call('HGET', KEYS[2], ARGV[1])
if prior then
  if prior ~= ARGV[2] then return {-1, prior} end
  return {0, redis.call('HGET', KEYS[1], 'balance') or '0'}
end
local balance = tonumber(redis.call('HGET', KEYS[1], 'balance') or '0')
if balance + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return {-2, balance} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HINCRBY', KEYS[1], 'credited', ARGV[2])
return {1, redis.call('HINCRBY', KEYS[1], 'balance', ARGV[2])}
`);

/** A credit: who, how much, and the operator's reference that makes it apply once. */
export const creditSchema = z.strictObject({
  owner: ownerIdSchema,
  amount: amountSchema,
  /** The operator's idempotency key (a payment or transfer id): 1-128 of `[A-Za-z0-9_.:-]`. */
  reference: z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(128),
      z.regex(/^[\w.:-]+$/, 'may only contain letters, digits and _ . : -'),
    ),
});

/**
 * Credits an owner's balance (the only way money enters the system), once per reference, and returns the
 * account. Throws `ValidationError`, `CreditConflictError` or `UnderReplicatedError`.
 */
export async function creditAccount(
  ctx: PacketsContext,
  input: unknown,
): Promise<{ applied: boolean; account: Account }> {
  const credit = parseOrThrow(creditSchema, input, 'credit');
  const keys = ownerKeys(ctx.keyPrefix, credit.owner);
  const [code, value] = await creditScript.run(
    ctx.redis,
    [keys.account, keys.credits],
    [credit.reference, credit.amount, MAX_BALANCE],
  );
  if (code === -1) throw new CreditConflictError(credit.reference, Number(value));
  if (code === -2) {
    throw new ValidationError('credit', [
      {
        path: 'amount',
        message: `the balance (${value}) would pass the most an account may hold (${MAX_BALANCE})`,
      },
    ]);
  }
  await confirmDurable(ctx, keys.barrier);
  return { applied: code === 1, account: await readAccount(ctx, credit.owner) };
}

/** The account of `owner` (all zeros for an owner never credited). */
export async function readAccount(ctx: PacketsContext, owner: string): Promise<Account> {
  const keys = ownerKeys(ctx.keyPrefix, owner);
  const [hash, open] = await Promise.all([ctx.redis.hgetall(keys.account), ctx.redis.zcard(keys.packets)]);
  const n = (field: string) => Number(hash[field] ?? 0);
  return {
    owner,
    balance: n('balance'),
    credited: n('credited'),
    funded: n('funded'),
    paidOut: n('paidOut'),
    refunded: n('refunded'),
    openPackets: open,
  };
}
