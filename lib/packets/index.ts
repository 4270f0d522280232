/** The red-packet domain: packets, claims, batch payouts and the ledger, committed under the packet lock. */
export {
  type ClaimRecord,
  type RefuseReason,
  type RejectReason,
  recordField,
} from './claimRecord.ts';
export { type Durability, NO_REPLICAS } from './confirmDurable.ts';
export { createRedPackets, type RedPackets, type RedPacketsOptions } from './createRedPackets.ts';
export type { Decision } from './decide.ts';
export {
  CommitConflictError,
  PacketClosedError,
  PacketError,
  PacketNotFoundError,
  StoreUnavailableError,
  UnderReplicatedError,
  ValidationError,
  type ValidationIssue,
} from './errors.ts';
export { claimIdFor, parseClaimId } from './ids.ts';
export { packetIndexKey, packetKeys } from './keys.ts';
export type { Payout } from './listPayouts.ts';
export type { RedisClient } from './PacketsContext.ts';
export type { PacketView } from './packetState.ts';
export { COMMIT_RESERVE_MS, type ItemOutcome, type ProcessOptions } from './processItems.ts';
export { createRandom, type RandomInt } from './random.ts';
export type { ClaimView } from './readClaim.ts';
export type {
  Discrepancy,
  ReconcileCheck,
  ReconcileOptions,
  ReconcileReport,
} from './reconcile.ts';
export type { RecordedClaim } from './recordClaim.ts';
export { type CreatePacketInput, MAX_AMOUNT, MAX_COUNT, type PayoutItem } from './schemas.ts';
export { nextShare, type SplitMode } from './split.ts';
