import { echoId } from '../packets/echoId.ts';
import { packetIdSchema } from '../packets/packetIdSchema.ts';
import { amountSchema, batchIdSchema, parseOrThrow, userIdSchema } from '../packets/schemas.ts';
import * as z from '../z.ts';
import type { PayoutRow } from './submitPayouts.ts';

/** Most items in one `POST /payout-batches` request; larger batches go through the CLI. */
export const MAX_ITEMS_PER_REQUEST = 1000;

/** `POST /payout-batches` body. Items are checked one by one (bad ones are reported, not fatal). */
export const batchRequestSchema = z.strictObject({
  packetId: packetIdSchema,
  batchId: z.optional(batchIdSchema),
  /** See `SubmitPayoutsInput.allowRepeatPayees`. @defaultValue false */
  allowRepeatPayees: z.optional(z.boolean()),
  items: z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_ITEMS_PER_REQUEST)),
});

const itemSchema = z.strictObject({ userId: userIdSchema, amount: amountSchema });

/** An item the request refused before submission (`invalid_item`, `duplicate_user`), by index. */
export interface RequestRejection {
  index: number;
  code: string;
  message: string;
}

/**
 * Validates a `POST /payout-batches` body: throws `ValidationError` for a bad shape; a bad item or a user
 * listed twice is set aside with its index, and the rest become rows (`indexes[i]` is row i's item index).
 */
export function parseBatchRequest(body: unknown): {
  packetId: string;
  batchId: string | undefined;
  allowRepeatPayees: boolean;
  rows: PayoutRow[];
  indexes: number[];
  rejected: RequestRejection[];
} {
  const input = parseOrThrow(batchRequestSchema, body, 'payout batch');
  const rows: PayoutRow[] = [];
  const indexes: number[] = [];
  const rejected: RequestRejection[] = [];
  const seen = new Set<string>();
  input.items.forEach((raw, index) => {
    const parsed = itemSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      rejected.push({
        index,
        code: 'invalid_item',
        message: `${issue?.path.join('.') || 'item'}: ${issue?.message}`,
      });
    } else if (seen.has(parsed.data.userId)) {
      rejected.push({
        index,
        code: 'duplicate_user',
        message: `user ${echoId(parsed.data.userId)} is already in this batch`,
      });
    } else {
      seen.add(parsed.data.userId);
      rows.push(parsed.data);
      indexes.push(index);
    }
  });
  return {
    packetId: input.packetId,
    batchId: input.batchId,
    allowRepeatPayees: input.allowRepeatPayees === true,
    rows,
    indexes,
    rejected,
  };
}
