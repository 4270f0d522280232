import { describe, expect, it } from 'vitest';
import { BatchConflictError } from '../../../lib/batches/BatchConflictError.ts';
import { ClaimQueueError } from '../../../lib/claims/ClaimQueueError.ts';
import { HttpError } from '../../../lib/http/HttpError.ts';
import { errorResponse, json } from '../../../lib/http/toHttpResponse.ts';
import { LockTimeoutError } from '../../../lib/lock/index.ts';
import { PacketClosedError, PacketNotFoundError, ValidationError } from '../../../lib/packets/index.ts';
import { createLogger } from '../../../lib/runtime/logger.ts';

const log = createLogger({}, 'silent');
const body = (error: unknown) => {
  const response = errorResponse(error, log);
  return { status: response.statusCode, error: JSON.parse(String(response.body)).error };
};

describe('errorResponse', () => {
  it('keeps the status, code, message and details of client errors', () => {
    expect(body(new HttpError(410, 'packet_expired', 'packet pk_x is expired'))).toEqual({
      status: 410,
      error: { code: 'packet_expired', message: 'packet pk_x is expired', details: [] },
    });
    expect(body(new ValidationError('packet', [{ path: 'count', message: 'too small' }]))).toMatchObject({
      status: 400,
      error: { code: 'invalid_input', details: [{ path: 'count', message: 'too small' }] },
    });
    expect(body(new PacketNotFoundError('pk_x')).status).toBe(404);
    expect(body(new PacketClosedError('pk_x', 'expired'))).toMatchObject({
      status: 410,
      error: { code: 'packet_expired' },
    });
    expect(body(new BatchConflictError('b1', 'batch id b1 is already used by packet pk_y'))).toMatchObject({
      status: 409,
      error: { code: 'batch_conflict', message: 'batch id b1 is already used by packet pk_y' },
    });
    expect(body(new ClaimQueueError('pk_x', 'c', new Error('timeout')))).toMatchObject({
      status: 503,
      error: { code: 'queue_unavailable' },
    });
  });

  it('sends nosniff and no-store on every answer, and the headers an HttpError carries', () => {
    const answers = [
      json(200, { ok: true }),
      errorResponse(new PacketNotFoundError('pk_x'), log),
      errorResponse(new TypeError('bug'), log),
      errorResponse(new HttpError(405, 'method_not_allowed', 'no', [], { allow: 'GET' }), log),
    ];
    for (const answer of answers) {
      expect(answer.headers).toMatchObject({
        'content-type': 'application/json',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
    }
    expect(answers[3]?.headers).toMatchObject({ allow: 'GET' });
    expect(json(200, {}, { 'cache-control': 'max-age=60' }).headers).toMatchObject({
      'cache-control': 'no-store',
    });
  });

  it('answers 503 for what a retry can fix, 500 for the rest, and never leaks internals', () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:6379'), { code: 'ECONNREFUSED' });
    expect(body(down)).toEqual({
      status: 503,
      error: { code: 'unavailable', message: 'temporarily unavailable, retry later', details: [] },
    });
    expect(body(new LockTimeoutError('pk_x', 5000, 40)).status).toBe(503);
    const bug = body(new TypeError("Cannot read properties of undefined (reading 'secret')"));
    expect(bug).toEqual({
      status: 500,
      error: { code: 'internal_error', message: 'internal error', details: [] },
    });
  });
});
