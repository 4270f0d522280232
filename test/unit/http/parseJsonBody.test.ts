import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../lib/http/HttpError.ts';
import { parseJsonBody, requestBodyText } from '../../../lib/http/parseJsonBody.ts';

/** An event whose body arrived as `body` (any type: serverless-offline may pass one it parsed). */
const event = (body: unknown, headers: Record<string, string> = {}, isBase64Encoded = false) =>
  ({ body, headers, isBase64Encoded }) as unknown as APIGatewayProxyEventV2;
const outcome = (e: APIGatewayProxyEventV2) => {
  try {
    return { value: parseJsonBody(e) };
  } catch (error) {
    return { status: (error as HttpError).status, code: (error as HttpError).code };
  }
};

describe('requestBodyText', () => {
  it('reads what API Gateway passes: a string, base64 for binary types, nothing for no body', () => {
    expect(requestBodyText(event('{"a":1}'))).toBe('{"a":1}');
    expect(requestBodyText(event(Buffer.from('{"a":1}').toString('base64'), {}, true))).toBe('{"a":1}');
    expect(requestBodyText(event(undefined))).toBe('');
  });

  it('gives back the JSON text of a body serverless-offline parsed itself (false, 0, null, objects)', () => {
    expect(requestBodyText(event(false, { 'content-length': '5' }))).toBe('false');
    expect(requestBodyText(event(0, { 'content-length': '1' }))).toBe('0');
    expect(requestBodyText(event({ a: [1] }))).toBe('{"a":[1]}');
    expect(requestBodyText(event(null, { 'content-length': '4' }))).toBe('null');
    expect(requestBodyText(event(null, { 'content-length': '0' }))).toBe(''); // no body at all
    expect(requestBodyText(event(null))).toBe('');
    expect(requestBodyText(event('text', { 'content-length': '6' }))).toBe('"text"'); // sent as "text"
    expect(requestBodyText(event('a\nb', { 'content-length': '6' }))).toBe('"a\\nb"');
    expect(requestBodyText(event('{"a":1}', { 'content-length': '7' }))).toBe('{"a":1}');
  });
});

describe('parseJsonBody', () => {
  it('answers a pre-parsed body as it answers the same JSON sent as a string', () => {
    for (const [parsed, text] of [
      [false, 'false'],
      [0, '0'],
      [null, 'null'],
      [true, 'true'],
      [{ totalAmount: 5 }, '{"totalAmount":5}'],
      ['text', '"text"'],
    ] as const) {
      expect(outcome(event(parsed, { 'content-length': String(text.length) }))).toEqual(outcome(event(text)));
    }
    expect(outcome(event(false, { 'content-length': '5' }))).toEqual({ value: false });
  });

  it('refuses no body and bad JSON with 400 malformed_json, and a large body with 413', () => {
    expect(outcome(event(undefined))).toEqual({ status: 400, code: 'malformed_json' });
    expect(outcome(event(null))).toEqual({ status: 400, code: 'malformed_json' });
    expect(outcome(event('  '))).toEqual({ status: 400, code: 'malformed_json' });
    expect(outcome(event('{"a":'))).toEqual({ status: 400, code: 'malformed_json' });
    expect(outcome(event('\uFEFF{}'))).toEqual({ status: 400, code: 'malformed_json' });
    expect(outcome(event(`"${'x'.repeat(17 * 1024)}"`))).toEqual({ status: 413, code: 'payload_too_large' });
    expect(() => parseJsonBody(event('{}'), 1)).toThrow(HttpError);
  });
});
