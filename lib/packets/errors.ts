import { echoId } from './echoId.ts';

/**
 * Errors of the red-packet domain. Like the lock's errors, each says whether the same work can succeed
 * later (`retryable`); the pipeline retries those through SQS and rejects the rest.
 */
export class PacketError extends Error {
  /** The packet concerned, when known. */
  readonly packetId: string | undefined;
  readonly retryable: boolean;
  /** Stable snake_case code for API responses and logs. */
  readonly code: string;

  constructor(
    code: string,
    message: string,
    opts: { packetId?: string; retryable: boolean; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PacketError';
    this.code = code;
    this.packetId = opts.packetId;
    this.retryable = opts.retryable;
  }
}

/** One problem found in an input: where (`path`) and what. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** The input breaks its schema. Permanent; nothing was written. */
export class ValidationError extends PacketError {
  readonly details: ValidationIssue[];

  constructor(what: string, details: ValidationIssue[]) {
    const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    super('invalid_input', `invalid ${what}: ${summary}`, { retryable: false });
    this.name = 'ValidationError';
    this.details = details;
  }
}

/** No packet has this id. Permanent. */
export class PacketNotFoundError extends PacketError {
  constructor(packetId: string) {
    super('packet_not_found', `no packet "${echoId(packetId)}"`, { packetId, retryable: false });
    this.name = 'PacketNotFoundError';
  }
}

/**
 * The commit script refused the group for a reason other than a lost lock: the packet vanished, the deltas
 * would take it below zero, an item was decided meanwhile, or the door reserved the shares the group's
 * unreserved payments were to take (`shares_taken`). Retryable: a new attempt reads fresh state.
 */
export class CommitConflictError extends PacketError {
  readonly reason: 'packet_missing' | 'below_zero' | 'already_decided' | 'shares_taken';

  constructor(packetId: string, reason: CommitConflictError['reason']) {
    super('commit_conflict', `commit for packet "${echoId(packetId)}" refused: ${reason}`, {
      packetId,
      retryable: true,
    });
    this.name = 'CommitConflictError';
    this.reason = reason;
  }
}

/** Redis could not be reached (or dropped the connection) mid-operation. Retryable; `cause` has the details. */
export class StoreUnavailableError extends PacketError {
  constructor(packetId: string, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('store_unavailable', `Redis unavailable while processing packet "${echoId(packetId)}": ${detail}`, {
      packetId,
      retryable: true,
      cause,
    });
    this.name = 'StoreUnavailableError';
  }
}

/** The packet takes no new claims: every share is paid (`packet_exhausted`) or it expired (`packet_expired`). */
export class PacketClosedError extends PacketError {
  readonly status: 'exhausted' | 'expired';

  constructor(packetId: string, status: 'exhausted' | 'expired') {
    super(`packet_${status}`, `packet ${echoId(packetId)} is ${status}`, { packetId, retryable: false });
    this.name = 'PacketClosedError';
    this.status = status;
  }
}

/**
 * A write stands on the primary but fewer replicas than required confirmed it within the wait: a failover
 * now could lose it, so it is not acknowledged (a queue record is retried, a request answers 503). Retryable:
 * the write is idempotent, so doing it again changes nothing on this primary and redoes it on a promoted
 * replica that lacks it.
 */
export class UnderReplicatedError extends PacketError {
  /** The barrier key the wait ran behind (it names the packet or account). */
  readonly where: string;
  readonly replicas: number;
  readonly required: number;

  constructor(where: string, replicas: number, required: number) {
    super(
      'not_durable',
      `the write was confirmed by ${replicas} of ${required} required replica(s); retry (a retry answers the same)`,
      { retryable: true },
    );
    this.where = where;
    this.name = 'UnderReplicatedError';
    this.replicas = replicas;
    this.required = required;
  }
}

/** The owner's balance cannot fund the packet. Permanent until the balance is credited; nothing changed. */
export class InsufficientFundsError extends PacketError {
  readonly owner: string;
  readonly balance: number;
  readonly required: number;

  constructor(owner: string, balance: number, required: number) {
    super(
      'insufficient_funds',
      `balance ${balance} of ${echoId(owner)} cannot fund a packet of ${required}`,
      {
        retryable: false,
      },
    );
    this.name = 'InsufficientFundsError';
    this.owner = owner;
    this.balance = balance;
    this.required = required;
  }
}

/** A per-sender limit refuses the packet (too many open packets, or too large an amount); nothing changed. */
export class SenderLimitError extends PacketError {
  readonly limit: 'maxOpenPackets' | 'maxPacketAmount';
  readonly value: number;

  constructor(owner: string, limit: SenderLimitError['limit'], value: number) {
    super(
      'sender_limit',
      limit === 'maxOpenPackets'
        ? `${echoId(owner)} already has ${value} open packets, the most a sender may have`
        : `a packet may hold at most ${value} per sender`,
      { retryable: false },
    );
    this.name = 'SenderLimitError';
    this.limit = limit;
    this.value = value;
  }
}

/** A credit reference was already used with another amount; the first credit stands, nothing changed. */
export class CreditConflictError extends PacketError {
  readonly reference: string;

  constructor(reference: string, recorded: number) {
    super('credit_conflict', `credit ${echoId(reference)} was already applied with amount ${recorded}`, {
      retryable: false,
    });
    this.name = 'CreditConflictError';
    this.reference = reference;
  }
}

/** The packet has not expired yet, so its remainder cannot be refunded. */
export class PacketNotExpiredError extends PacketError {
  readonly expiresAt: number;

  constructor(packetId: string, expiresAt: number) {
    super(
      'not_expired',
      `packet ${echoId(packetId)} expires at ${new Date(expiresAt).toISOString()}; settle it after`,
      {
        packetId,
        retryable: false,
      },
    );
    this.name = 'PacketNotExpiredError';
    this.expiresAt = expiresAt;
  }
}

/** The caller may not do this to this packet or account (e.g. a payout batch from a user's packet). */
export class ForbiddenError extends PacketError {
  constructor(message: string, packetId?: string) {
    super('forbidden', message, { retryable: false, ...(packetId ? { packetId } : {}) });
    this.name = 'ForbiddenError';
  }
}
