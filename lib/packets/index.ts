/** The red-packet domain: packets, claims, batch payouts and the ledger, committed under the packet lock. */

export { type Account, creditSchema, MAX_BALANCE } from './accounts.ts';
export {
  type ClaimRecord,
  type RefuseReason,
  type RejectReason,
  recordField,
} from './claimRecord.ts';
export { type Durability, NO_REPLICAS } from './confirmDurable.ts';
export type { SenderLimits } from './createPacket.ts';
export {
  createRedPackets,
  DEFAULT_RETENTION_MS,
  DEFAULT_SENDER_LIMITS,
  type RedPackets,
  type RedPacketsOptions,
} from './createRedPackets.ts';
export type { Decision } from './decide.ts';
export { ECHOED_ID_CHARS, echoId } from './echoId.ts';
export {
  CommitConflictError,
  CreditConflictError,
  ForbiddenError,
  InsufficientFundsError,
  PacketClosedError,
  PacketError,
  PacketNotExpiredError,
  PacketNotFoundError,
  SenderLimitError,
  StoreUnavailableError,
  UnderReplicatedError,
  ValidationError,
  type ValidationIssue,
} from './errors.ts';
export { claimIdFor, parseClaimId } from './ids.ts';
export { ownerKeys, packetIndexKey, packetKeys } from './keys.ts';
export type { Payout } from './listPayouts.ts';
export type { RedisClient } from './PacketsContext.ts';
export { type PacketView, type PublicPacketView, toPublicView } from './packetState.ts';
export {
  COMMIT_RESERVE_MS,
  type ItemOutcome,
  type LockObservation,
  type ProcessOptions,
} from './processItems.ts';
export { createRandom, type RandomInt } from './random.ts';
export type { ClaimView } from './readClaim.ts';
export type {
  Discrepancy,
  OwnerCheck,
  OwnerReconcileReport,
  ReconcileCheck,
  ReconcileOptions,
  ReconcileReport,
} from './reconcile.ts';
export type { RecordedClaim } from './recordClaim.ts';
export {
  type CreatePacketInput,
  MAX_AMOUNT,
  MAX_COUNT,
  OPERATOR_PREFIX,
  ownerIdSchema,
  type PayoutItem,
} from './schemas.ts';
export type { Settlement } from './settlePacket.ts';
export { nextShare, type SplitMode } from './split.ts';
