import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './HttpError.ts';

/** Largest request body accepted, in bytes. @defaultValue 16 KiB: a packet or claim body is under 200 bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * The request body as the text the client sent ('' for none), whatever shape it arrived in, so the same
 * JSON gets the same answer on AWS and locally. API Gateway passes the text (base64 for binary content
 * types). serverless-offline parses a JSON body itself and passes back the text, except:
 * - a falsy value arrives as itself: `false`, `0`, and `null` (also for `""`) like no body at all, so a
 *   `null` with a non-zero `content-length` was sent, and reads as `null`;
 * - a JSON string arrives unwrapped (`"text"` as `text`): shorter than the `content-length` it was sent
 *   with, which no other body is.
 */
export function requestBodyText(event: APIGatewayProxyEventV2): string {
  const body: unknown = event.body;
  const sent = Number(event.headers?.['content-length'] ?? 0);
  if (typeof body === 'string') {
    if (event.isBase64Encoded) return Buffer.from(body, 'base64').toString('utf8');
    // Only unwrapping makes it shorter (bytes that are not UTF-8 make it longer, as U+FFFD).
    return sent > Buffer.byteLength(body) ? JSON.stringify(body) : body;
  }
  if (body === undefined) return '';
  if (body === null) return sent > 0 ? 'null' : '';
  return JSON.stringify(body) ?? '';
}

/** The request's JSON body: 413 when too large, 400 `malformed_json` when it does not parse. */
export function parseJsonBody(event: APIGatewayProxyEventV2, maxBytes = MAX_BODY_BYTES): unknown {
  const text = requestBodyText(event);
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new HttpError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes`);
  }
  if (text.trim() === '') throw new HttpError(400, 'malformed_json', 'request body must be a JSON document');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed_json', 'request body is not valid JSON');
  }
}
