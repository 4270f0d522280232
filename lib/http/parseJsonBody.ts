import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './HttpError.ts';

/** Largest request body accepted, in bytes. @defaultValue 16 KiB: a packet or claim body is under 200 bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The request's JSON body: 413 when too large, 400 `malformed_json` when it does not parse. */
export function parseJsonBody(event: APIGatewayProxyEventV2, maxBytes = MAX_BODY_BYTES): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
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
