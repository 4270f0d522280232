import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { pageQuery } from '../../../lib/http/pageQuery.ts';
import { type PathParamName, pathParam } from '../../../lib/http/pathParam.ts';
import { ValidationError } from '../../../lib/packets/errors.ts';
import { claimIdFor } from '../../../lib/packets/ids.ts';

const event = (fields: Partial<APIGatewayProxyEventV2>) => fields as APIGatewayProxyEventV2;
const param = (name: PathParamName, value: string | undefined) =>
  pathParam(event({ pathParameters: value === undefined ? {} : { [name]: value } }), name);
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('pathParam', () => {
  it('passes the ids the API makes', () => {
    expect(param('packetId', 'pk_3U2S5dpkMYlAAYk3')).toBe('pk_3U2S5dpkMYlAAYk3');
    expect(param('claimId', claimIdFor('pk_x', 'bob'))).toBe('pk_x.Ym9i');
    expect(param('batchId', 'spring-2026')).toBe('spring-2026');
    expect(param('owner', 'op:arn:aws:iam::1:user/ops')).toBe('op:arn:aws:iam::1:user/ops');
  });

  it.each<[PathParamName, string | undefined]>([
    ['packetId', undefined],
    ['packetId', ''],
    ['packetId', 'pk_'],
    ['packetId', '{bad}'],
    ['packetId', `pk_${'a'.repeat(65)}`],
    ['packetId', 'x'.repeat(10_000)],
    ['claimId', 'nope'],
    ['claimId', 'pk_x.'],
    ['claimId', 'pk_x.Ym9'], // not what claimIdFor writes for any user
    ['claimId', claimIdFor('pk_x', 'has space')],
    ['claimId', claimIdFor('pk_x', 'u'.repeat(129))],
    ['batchId', 'a b'],
    ['batchId', 'a/b'],
    ['batchId', 'b'.repeat(129)],
    ['owner', ''],
    ['owner', 'a b'],
    ['owner', 'o'.repeat(257)],
  ])('refuses %s %j with 400 invalid_input, without echoing it', (name, value) => {
    const error = refusal(() => param(name, value));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('invalid_input');
    expect(new Set((error as ValidationError).details.map((d) => d.path))).toEqual(new Set([name]));
    if (value && value.length > 3) expect((error as ValidationError).message).not.toContain(value);
  });
});

describe('pageQuery', () => {
  const page = (query: Record<string, string> | null) =>
    pageQuery(event({ queryStringParameters: query ?? undefined }));

  it('reads a limit and a cursor, each part of the cursor up to 2^64 - 1', () => {
    expect(page(null)).toEqual({ limit: 100 });
    expect(page({ limit: '1000', cursor: '1700000000000-0' })).toEqual({
      limit: 1000,
      cursor: '1700000000000-0',
    });
    expect(page({ cursor: '0-0' }).cursor).toBe('0-0');
    expect(page({ cursor: '18446744073709551615-18446744073709551615' }).cursor).toBe(
      '18446744073709551615-18446744073709551615',
    );
  });

  it.each<Record<string, string>>([
    { limit: '0' },
    { limit: '1001' },
    { limit: '-1' },
    { limit: '1.5' },
    { limit: '1e2' },
    { limit: ' 5' },
    { limit: '' },
    { limit: '1,2' },
    { limit: '99999999999999999' },
    { cursor: '' },
    { cursor: 'zzz' },
    { cursor: '99999999999999999999-0' },
    { cursor: '18446744073709551616-0' },
    { cursor: '0-18446744073709551616' },
    { cursor: '01-0' },
    { cursor: '1-00' },
    { cursor: '1' },
    { cursor: '1-' },
    { cursor: '-1' },
    { cursor: '1-2-3' },
    { cursor: '1-0,2-0' },
    { cursor: '(1-0' },
  ])('refuses %j with 400 invalid_input', (query) => {
    const error = refusal(() => page(query));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).details.map((d) => d.path)).toEqual(Object.keys(query));
  });
});
