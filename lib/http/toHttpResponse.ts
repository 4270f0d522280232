import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BatchConflictError } from '../batches/BatchConflictError.ts';
import { ClaimQueueError } from '../claims/ClaimQueueError.ts';
import { isRetryableError } from '../lock/index.ts';
import {
  CreditConflictError,
  ForbiddenError,
  InsufficientFundsError,
  PacketClosedError,
  PacketNotExpiredError,
  PacketNotFoundError,
  SenderLimitError,
  UnderReplicatedError,
  ValidationError,
} from '../packets/index.ts';
import type { Logger } from '../runtime/logger.ts';
import { HttpError } from './HttpError.ts';

/**
 * Headers on every answer: browsers must not sniff another type out of a JSON body, and nothing may be
 * cached (balances, claims and ledgers are money, read live).
 */
export const RESPONSE_HEADERS = {
  'content-type': 'application/json',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
} as const;

/** A JSON response with {@link RESPONSE_HEADERS} (and `headers`, which cannot override them). */
export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { ...headers, ...RESPONSE_HEADERS },
    body: JSON.stringify(body),
  };
}

/**
 * The one place that turns an error into an HTTP response: `{"error": {code, message, details}}`. Known
 * client errors keep their message; anything else is logged and answered with a generic 500 (or 503 when
 * it is retryable, such as Redis being unreachable), never with internals.
 */
export function errorResponse(error: unknown, log: Logger): APIGatewayProxyStructuredResultV2 {
  const known = classify(error);
  if (known)
    return json(
      known.status,
      { error: { code: known.code, message: known.message, details: known.details } },
      known.headers,
    );
  // Typed errors say whether a retry can help; so do connection failures (Redis or SQS unreachable).
  const retryable = isRetryableError(error);
  log.error('request failed', { error });
  return retryable
    ? json(503, {
        error: { code: 'unavailable', message: 'temporarily unavailable, retry later', details: [] },
      })
    : json(500, { error: { code: 'internal_error', message: 'internal error', details: [] } });
}

/**
 * The `error.code` that {@link errorResponse} answers `error` with (`packet_exhausted`, `not_durable`, …;
 * `unavailable` or `internal_error` for what it does not know): a fixed set, fit for a metric dimension.
 */
export function errorCode(error: unknown): string {
  return classify(error)?.code ?? (isRetryableError(error) ? 'unavailable' : 'internal_error');
}

function classify(error: unknown): {
  status: number;
  code: string;
  message: string;
  details: unknown[];
  headers?: Record<string, string>;
} | null {
  if (error instanceof HttpError) return error;
  if (error instanceof ValidationError)
    return { status: 400, code: error.code, message: error.message, details: error.details };
  const status =
    error instanceof PacketNotFoundError
      ? 404
      : error instanceof PacketClosedError
        ? 410
        : error instanceof InsufficientFundsError
          ? 402
          : error instanceof ForbiddenError
            ? 403
            : error instanceof BatchConflictError ||
                error instanceof SenderLimitError ||
                error instanceof CreditConflictError ||
                error instanceof PacketNotExpiredError
              ? 409
              : error instanceof ClaimQueueError || error instanceof UnderReplicatedError
                ? 503
                : undefined;
  return status === undefined || !(error instanceof Error)
    ? null
    : { status, code: (error as PacketNotFoundError).code, message: error.message, details: [] };
}
