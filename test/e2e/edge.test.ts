import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_KEYS } from '../../lib/http/routes.ts';
import { claimIdFor } from '../../lib/packets/index.ts';
import { useLocalStack } from '../harness/localStackFixture.ts';
import { type KeySnapshot, redisSnapshot } from '../harness/redisSnapshot.ts';

// "Every answer is ours": bad requests across every route of the local stack (serverless-offline, fauxqs,
// a private Redis), each answered with our typed JSON error (no framework page, no stack, no route list,
// never a 500), and none of them changing a single key of a Redis that holds a funded packet, a paid
// claim, a paid payout batch and balances.
const api = useLocalStack();

/** A flat raw header list (`name, value, …`): the same name twice is sent as two header lines. */
type RawHeaders = string[];
const header = (name: string, ...values: string[]): RawHeaders => values.flatMap((value) => [name, value]);
const user = (...ids: string[]) => header('x-user-id', ...ids);
const operator = (...ids: string[]) => header('x-operator-id', ...ids);
const JSON_BODY = header('content-type', 'application/json');

interface Row {
  /** What is wrong with the request. */
  label: string;
  method: string;
  /** With placeholders for what the setup creates: `<op>`, `<op2>`, `<mine>`, `<claim>`. */
  path: string;
  headers?: RawHeaders;
  /** A string body is sent as `application/json` unless `headers` names a content type. */
  body?: string | Buffer;
  status: number;
  code: string;
  /** The `allow` header of a 405. */
  allow?: string;
  /** An id longer than 64 characters that the message may only echo truncated. */
  longId?: string;
}

const X10K = 'x'.repeat(10_000);
const LONG_PACKET = `pk_${'L'.repeat(64)}`; // well-formed, 67 characters, unknown
const LONG_USER = 'u'.repeat(128);
const LONG_CLAIM = claimIdFor('pk_unknown', LONG_USER);
const LONG_BATCH = 'b'.repeat(128);
const PACKET = JSON.stringify({ totalAmount: 100, count: 1 });
const ITEMS = [{ userId: 'zed', amount: 1 }];
const batch = (fields: Record<string, unknown>) => JSON.stringify({ items: ITEMS, ...fields });

const unknownPaths: Row[] = [
  { label: 'the root', method: 'GET', path: '/', status: 404, code: 'route_not_found' },
  { label: 'an unknown path', method: 'GET', path: '/nope', status: 404, code: 'route_not_found' },
  {
    label: 'an unknown path',
    method: 'POST',
    path: '/nope',
    body: '{}',
    status: 404,
    code: 'route_not_found',
  },
  {
    label: 'past a route',
    method: 'GET',
    path: '/packets/<mine>/claims/x',
    status: 404,
    code: 'route_not_found',
  },
  { label: 'a route prefix', method: 'GET', path: '/admin', status: 404, code: 'route_not_found' },
  { label: 'a route prefix', method: 'GET', path: '/admin/balances', status: 404, code: 'route_not_found' },
  {
    label: 'past a route',
    method: 'GET',
    path: '/payout-batches/b/items',
    status: 404,
    code: 'route_not_found',
  },
  { label: 'past a route', method: 'GET', path: '/balance/alice', status: 404, code: 'route_not_found' },
  { label: 'another case', method: 'GET', path: '/PACKETS', status: 404, code: 'route_not_found' },
  {
    label: 'an empty segment',
    method: 'POST',
    path: '/packets//claims',
    status: 404,
    code: 'route_not_found',
  },
  { label: 'a route prefix', method: 'GET', path: '/claims', status: 404, code: 'route_not_found' },
  {
    label: 'an unknown action',
    method: 'PUT',
    path: '/admin/packets/<op>/refund',
    status: 404,
    code: 'route_not_found',
  },
  { label: 'undecodable', method: 'GET', path: '/nope/%E0%A4%A', status: 404, code: 'route_not_found' },
  { label: 'a dot file', method: 'GET', path: '/.env', status: 404, code: 'route_not_found' },
  { label: 'dot segments', method: 'GET', path: '/../../etc/passwd', status: 404, code: 'route_not_found' },
];

const wrongMethods: Row[] = (
  [
    ['GET', '/packets', 'POST'],
    ['DELETE', '/packets', 'POST'],
    ['PUT', '/packets/<mine>', 'GET'],
    ['DELETE', '/packets/<mine>', 'GET'],
    ['POST', '/packets/<mine>', 'GET'],
    ['GET', '/packets/<mine>/claims', 'POST'],
    ['PUT', '/packets/<mine>/payouts', 'GET'],
    ['DELETE', '/claims/<claim>', 'GET'],
    ['POST', '/balance', 'GET'],
    ['PATCH', '/admin/balances/alice', 'GET'],
    ['GET', '/admin/balances/alice/credits', 'POST'],
    ['GET', '/admin/packets', 'POST'],
    ['DELETE', '/admin/packets/<op>/payouts', 'GET'],
    ['GET', '/admin/packets/<op>/settle', 'POST'],
    ['GET', '/payout-batches', 'POST'],
    ['PUT', '/payout-batches/edge-batch', 'GET'],
    ['OPTIONS', '/packets', 'POST'],
    ['OPTIONS', '/balance', 'GET'],
  ] as const
).map(([method, path, allow]) => ({
  label: 'a wrong method',
  method,
  path,
  headers: [...user('alice'), ...operator('edge-ops')],
  status: 405,
  code: 'method_not_allowed',
  allow,
}));

const identities: Row[] = [
  ...(
    [
      ['POST', '/packets', PACKET],
      ['GET', '/packets/<mine>'],
      ['GET', '/packets/<mine>/payouts'],
      ['POST', '/packets/<mine>/claims'],
      ['GET', '/claims/<claim>'],
      ['GET', '/balance'],
    ] as const
  ).flatMap(([method, path, body]): Row[] => [
    { label: 'no x-user-id', method, path, ...(body ? { body } : {}), status: 401, code: 'unauthenticated' },
    {
      label: 'two x-user-id headers',
      method,
      path,
      headers: user('alice', 'bob'),
      ...(body ? { body } : {}),
      status: 400,
      code: 'duplicate_header',
    },
  ]),
  ...(
    [
      ['GET', '/admin/balances/alice'],
      ['POST', '/admin/balances/dave/credits', JSON.stringify({ amount: 5, reference: 'edge-dup' })],
      ['POST', '/admin/packets', PACKET],
      ['GET', '/admin/packets/<op>/payouts'],
      ['POST', '/admin/packets/<op>/settle'],
      ['POST', '/payout-batches', batch({ packetId: '<op>' })],
      ['GET', '/payout-batches/edge-batch'],
    ] as const
  ).map(
    ([method, path, body]): Row => ({
      label: 'two x-operator-id headers',
      method,
      path,
      headers: operator('edge-ops', 'other'),
      ...(body ? { body } : {}),
      status: 400,
      code: 'duplicate_header',
    }),
  ),
  {
    label: 'x-user-id with a comma (a joined repeat)',
    method: 'GET',
    path: '/balance',
    headers: user('alice,bob'),
    status: 400,
    code: 'duplicate_header',
  },
  {
    label: 'an operator on a user route',
    method: 'GET',
    path: '/balance',
    headers: operator('ops'),
    status: 401,
    code: 'unauthenticated',
  },
  {
    label: 'a user id starting op:',
    method: 'GET',
    path: '/balance',
    headers: user('op:x'),
    status: 400,
    code: 'invalid_user',
  },
  {
    label: 'a user id with a space',
    method: 'POST',
    path: '/packets/<mine>/claims',
    headers: user('has space'),
    status: 400,
    code: 'invalid_user',
  },
  {
    label: 'a 200-character user id',
    method: 'POST',
    path: '/packets/<mine>/claims',
    headers: user('u'.repeat(200)),
    status: 400,
    code: 'invalid_user',
  },
  {
    label: 'an operator id with a space',
    method: 'GET',
    path: '/admin/balances/alice',
    headers: operator('a b'),
    status: 400,
    code: 'invalid_user',
  },
  {
    label: 'a 300-character operator id',
    method: 'GET',
    path: '/admin/balances/alice',
    headers: operator('o'.repeat(300)),
    status: 400,
    code: 'invalid_user',
  },
  {
    label: 'a malformed cookie, no identity',
    method: 'GET',
    path: '/balance',
    headers: header('cookie', '=;;a'),
    status: 401,
    code: 'unauthenticated',
  },
];

const wrongCallers: Row[] = [
  {
    label: "another user reads a packet's payouts",
    method: 'GET',
    path: '/packets/<mine>/payouts',
    headers: user('carol'),
    status: 403,
    code: 'forbidden',
  },
  {
    label: "a user reads an operator packet's payouts",
    method: 'GET',
    path: '/packets/<op>/payouts',
    headers: user('bob'),
    status: 403,
    code: 'forbidden',
  },
  {
    label: "a batch from a user's packet",
    method: 'POST',
    path: '/payout-batches',
    headers: operator('edge-ops'),
    body: batch({ packetId: '<mine>' }),
    status: 403,
    code: 'forbidden',
  },
  {
    label: "another user's claim",
    method: 'GET',
    path: '/claims/<claim>',
    headers: user('carol'),
    status: 404,
    code: 'claim_not_found',
  },
];

const ids: Row[] = [
  {
    label: 'a malformed packet id',
    method: 'GET',
    path: '/packets/%7Bbad%7D',
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a 10,000-character packet id',
    method: 'GET',
    path: `/packets/${X10K}`,
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'an empty packet id',
    method: 'GET',
    path: '/packets/pk_',
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a dot in a packet id',
    method: 'GET',
    path: '/packets/pk_a.b',
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a 68-character packet id',
    method: 'GET',
    path: `/packets/${LONG_PACKET}x`,
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'an undecodable packet id',
    method: 'GET',
    path: '/packets/%zz',
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'an unknown long packet id',
    method: 'GET',
    path: `/packets/${LONG_PACKET}`,
    headers: user('bob'),
    status: 404,
    code: 'packet_not_found',
    longId: LONG_PACKET,
  },
  {
    label: 'a 10,000-character packet id',
    method: 'POST',
    path: `/packets/${X10K}/claims`,
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'an unknown packet',
    method: 'POST',
    path: '/packets/pk_unknown/claims',
    headers: user('bob'),
    status: 404,
    code: 'packet_not_found',
  },
  {
    label: 'a malformed packet id',
    method: 'GET',
    path: '/packets/bad!/payouts',
    headers: user('alice'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a malformed packet id',
    method: 'GET',
    path: '/admin/packets/bad!/payouts',
    headers: operator('edge-ops'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a malformed packet id',
    method: 'POST',
    path: '/admin/packets/bad!/settle',
    headers: operator('edge-ops'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'an unknown packet',
    method: 'POST',
    path: '/admin/packets/pk_unknown/settle',
    headers: operator('edge-ops'),
    status: 404,
    code: 'packet_not_found',
  },
  {
    label: 'a packet not expired yet',
    method: 'POST',
    path: '/admin/packets/<op>/settle',
    headers: operator('edge-ops'),
    status: 409,
    code: 'not_expired',
  },
  {
    label: 'a malformed claim id',
    method: 'GET',
    path: '/claims/nope',
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a claim id without a user',
    method: 'GET',
    path: '/claims/pk_x.',
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a 10,000-character claim id',
    method: 'GET',
    path: `/claims/${X10K}`,
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a claim id of a bad user id',
    method: 'GET',
    path: `/claims/${claimIdFor('pk_x', 'has space')}`,
    headers: user('bob'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'an unknown long claim id',
    method: 'GET',
    path: `/claims/${LONG_CLAIM}`,
    headers: user(LONG_USER),
    status: 404,
    code: 'claim_not_found',
    longId: LONG_CLAIM,
  },
  {
    label: 'an owner with a space',
    method: 'GET',
    path: '/admin/balances/a%20b',
    headers: operator('edge-ops'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a 300-character owner',
    method: 'GET',
    path: `/admin/balances/${'o'.repeat(300)}`,
    headers: operator('edge-ops'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'an owner with a space',
    method: 'POST',
    path: '/admin/balances/a%20b/credits',
    headers: operator('edge-ops'),
    body: JSON.stringify({ amount: 5, reference: 'edge-x' }),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a batch id with a space',
    method: 'GET',
    path: '/payout-batches/a%20b',
    headers: operator('edge-ops'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a 129-character batch id',
    method: 'GET',
    path: `/payout-batches/${LONG_BATCH}b`,
    headers: operator('edge-ops'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a batch id with a slash',
    method: 'GET',
    path: '/payout-batches/a%2Fb',
    headers: operator('edge-ops'),
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'an unknown batch',
    method: 'GET',
    path: '/payout-batches/nope',
    headers: operator('edge-ops'),
    status: 404,
    code: 'batch_not_found',
  },
  {
    label: 'an unknown long batch id',
    method: 'GET',
    path: `/payout-batches/${LONG_BATCH}`,
    headers: operator('edge-ops'),
    status: 404,
    code: 'batch_not_found',
    longId: LONG_BATCH,
  },
];

const pages: Row[] = [
  ...[
    'cursor=99999999999999999999-0',
    'cursor=18446744073709551616-0',
    'cursor=0-18446744073709551616',
    'cursor=01-0',
    'cursor=zzz',
    'cursor=',
    'cursor=1-0&cursor=2-0',
    'cursor=1',
    'cursor=%281-0',
    'limit=0',
    'limit=1001',
    'limit=-1',
    'limit=1.5',
    'limit=1e2',
    'limit=abc',
    'limit=1&limit=2',
  ].map(
    (query): Row => ({
      label: `a bad page (${query})`,
      method: 'GET',
      path: `/packets/<mine>/payouts?${query}`,
      headers: user('alice'),
      status: 400,
      code: 'invalid_input',
    }),
  ),
  ...['cursor=99999999999999999999-0', 'limit=5000', 'cursor=%zz', `cursor=${X10K}`].map(
    (query): Row => ({
      label: `a bad page (${query.slice(0, 40)})`,
      method: 'GET',
      path: `/admin/packets/<op>/payouts?${query}`,
      headers: operator('edge-ops'),
      status: 400,
      code: 'invalid_input',
    }),
  ),
];

const bodies: Row[] = [
  ...(
    [
      ['no body', '', 400, 'malformed_json'],
      ['truncated JSON', '{"totalAmount": 100,', 400, 'malformed_json'],
      ['false', 'false', 400, 'invalid_input'],
      ['0', '0', 400, 'invalid_input'],
      ['null', 'null', 400, 'invalid_input'],
      ['true', 'true', 400, 'invalid_input'],
      ['a string', '"text"', 400, 'invalid_input'],
      ['an array', '[]', 400, 'invalid_input'],
      ['an empty object', '{}', 400, 'invalid_input'],
      ['a string amount', '{"totalAmount": "100", "count": 1}', 400, 'invalid_input'],
      ['an unknown field', '{"totalAmount": 100, "count": 1, "admin": true}', 400, 'invalid_input'],
      [
        '20 KB',
        JSON.stringify({ totalAmount: 100, count: 1, pad: 'x'.repeat(20_000) }),
        413,
        'payload_too_large',
      ],
      ['no balance to fund it', PACKET, 402, 'insufficient_funds'],
    ] as const
  ).map(
    ([label, body, status, code]): Row => ({
      label: `POST /packets: ${label}`,
      method: 'POST',
      path: '/packets',
      headers: user('edge-broke'),
      body,
      status,
      code,
    }),
  ),
  ...(
    [
      ['a form', 'application/x-www-form-urlencoded', 'totalAmount=100&count=1', 'malformed_json'],
      ['binary', 'application/octet-stream', '{"totalAmount":', 'malformed_json'],
      [
        'bytes that are not UTF-8',
        'application/json',
        Buffer.from([0xff, 0xfe, 0x7b, 0x00]),
        'malformed_json',
      ],
      ['a byte-order mark', 'application/json', `\uFEFF${PACKET}`, 'malformed_json'],
      ['XML', 'application/xml', '<packet totalAmount="100"/>', 'malformed_json'],
      ['false as text/plain', 'text/plain', 'false', 'invalid_input'],
    ] as const
  ).map(
    ([label, type, body, code]): Row => ({
      label: `POST /packets: ${label}`,
      method: 'POST',
      path: '/packets',
      headers: [...user('edge-broke'), ...header('content-type', type)],
      body,
      status: 400,
      code,
    }),
  ),
  ...(
    [
      ['false', 'false', 400, 'invalid_input'],
      ['0', '0', 400, 'invalid_input'],
      ['null', 'null', 400, 'invalid_input'],
      ['a string', '"text"', 400, 'invalid_input'],
      ['a field', '{"amount": 5}', 400, 'invalid_input'],
      ['an array', '[]', 400, 'invalid_input'],
      ['truncated JSON', '{', 400, 'malformed_json'],
      ['17 KB', `"${'x'.repeat(17 * 1024)}"`, 413, 'payload_too_large'],
    ] as const
  ).map(
    ([label, body, status, code]): Row => ({
      label: `a claim with a body: ${label}`,
      method: 'POST',
      path: '/packets/<mine>/claims',
      headers: user('edge-claimer'),
      body,
      status,
      code,
    }),
  ),
  ...(
    [
      ['no body', '', 400, 'malformed_json'],
      ['false', 'false', 400, 'invalid_input'],
      ['0', '0', 400, 'invalid_input'],
      ['null', 'null', 400, 'invalid_input'],
      ['a string', '"text"', 400, 'invalid_input'],
      ['a zero amount', '{"amount": 0, "reference": "edge-r"}', 400, 'invalid_input'],
      ['a bad reference', '{"amount": 5, "reference": "has space"}', 400, 'invalid_input'],
      ['no reference', '{"amount": 5}', 400, 'invalid_input'],
      [
        'a used reference, another amount',
        '{"amount": 501, "reference": "edge-ref"}',
        409,
        'credit_conflict',
      ],
    ] as const
  ).map(
    ([label, body, status, code]): Row => ({
      label: `a credit: ${label}`,
      method: 'POST',
      path: '/admin/balances/dave/credits',
      headers: operator('edge-ops'),
      body,
      status,
      code,
    }),
  ),
  {
    label: 'a campaign: false',
    method: 'POST',
    path: '/admin/packets',
    headers: operator('edge-ops'),
    body: 'false',
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a campaign: no count',
    method: 'POST',
    path: '/admin/packets',
    headers: operator('edge-ops'),
    body: '{"totalAmount": 100}',
    status: 400,
    code: 'invalid_input',
  },
  {
    label: 'a campaign: no balance',
    method: 'POST',
    path: '/admin/packets',
    headers: operator('edge-broke'),
    body: PACKET,
    status: 402,
    code: 'insufficient_funds',
  },
  ...(
    [
      ['no body', '', 400, 'malformed_json'],
      ['false', 'false', 400, 'invalid_input'],
      ['null', 'null', 400, 'invalid_input'],
      ['an empty object', '{}', 400, 'invalid_input'],
      ['a malformed packet id', batch({ packetId: 'bad!' }), 400, 'invalid_input'],
      ['a 10,000-character packet id', batch({ packetId: X10K }), 400, 'invalid_input'],
      ['an unknown packet', batch({ packetId: 'pk_unknown' }), 404, 'packet_not_found'],
      ['no items', JSON.stringify({ packetId: '<op>', items: [] }), 400, 'invalid_input'],
      [
        '1,001 items',
        JSON.stringify({
          packetId: '<op>',
          items: Array.from({ length: 1001 }, (_, i) => ({ userId: `w${i}`, amount: 1 })),
        }),
        400,
        'invalid_input',
      ],
      ['a bad batch id', batch({ packetId: '<op>', batchId: 'a b' }), 400, 'invalid_input'],
      [
        "another packet's batch id",
        batch({ packetId: '<op2>', batchId: 'edge-batch' }),
        409,
        'batch_conflict',
      ],
      [
        'the batch with other terms',
        batch({ packetId: '<op>', batchId: 'edge-batch', allowRepeatPayees: true }),
        409,
        'batch_conflict',
      ],
      ['an unknown field', batch({ packetId: '<op>', extra: 1 }), 400, 'invalid_input'],
      ['300 KB', batch({ packetId: '<op>', pad: 'x'.repeat(300_000) }), 413, 'payload_too_large'],
    ] as const
  ).map(
    ([label, body, status, code]): Row => ({
      label: `a payout batch: ${label}`,
      method: 'POST',
      path: '/payout-batches',
      headers: operator('edge-ops'),
      body,
      status,
      code,
    }),
  ),
];

const ROWS: Row[] = [
  ...unknownPaths,
  ...wrongMethods,
  ...identities,
  ...wrongCallers,
  ...ids,
  ...pages,
  ...bodies,
];

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Sends a request as written: raw headers (repeats as separate lines), the path byte for byte. */
function send(method: string, path: string, headers: RawHeaders, body?: string | Buffer): Promise<Reply> {
  const { hostname, port, host } = new URL(api.stack.httpUrl);
  const raw = ['host', host, ...headers];
  if (body !== undefined) {
    if (!headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === 'content-type')) raw.push(...JSON_BODY);
    raw.push('content-length', String(Buffer.byteLength(body)));
  }
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, method, path, headers: raw }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** What the setup created, by placeholder. */
const made: Record<string, string> = {};
const fill = <T extends string | Buffer | undefined>(value: T): T =>
  (typeof value === 'string'
    ? value.replace(/<(op2|op|mine|claim)>/g, (_, name: string) => made[name] ?? '')
    : value) as T;

let before: Record<string, KeySnapshot> = {};
let last: Record<string, KeySnapshot> = {};
let tableStartedAt = 0;

beforeAll(async () => {
  const op = await api.createPacket({ totalAmount: 10_000, count: 10 });
  const op2 = await api.createPacket({ totalAmount: 1000, count: 2 });
  const mine = await api.createPacket({ totalAmount: 1000, count: 5 }, 'alice');
  expect([op.status, op2.status, mine.status]).toEqual([201, 201, 201]);
  Object.assign(made, {
    op: op.body.packetId,
    op2: op2.body.packetId,
    mine: mine.body.packetId,
    claim: claimIdFor(mine.body.packetId, 'bob'),
  });
  const claimed = await api.request('POST', `/packets/${made.mine}/claims`, {
    headers: { 'x-user-id': 'bob' },
  });
  const submitted = await api.request('POST', '/payout-batches', {
    headers: { 'x-operator-id': 'edge-ops' },
    body: JSON.stringify({
      packetId: made.op,
      batchId: 'edge-batch',
      items: [{ userId: 'carol', amount: 100 }],
    }),
  });
  const credited = await api.request('POST', '/admin/balances/dave/credits', {
    headers: { 'x-operator-id': 'edge-ops' },
    body: JSON.stringify({ amount: 500, reference: 'edge-ref' }),
  });
  expect([claimed.status, submitted.status, credited.status]).toEqual([202, 202, 200]);
  await api.eventually(async () => {
    const claim = await api.request('GET', `/claims/${made.claim}`, { headers: { 'x-user-id': 'bob' } });
    const paid = await api.request('GET', '/payout-batches/edge-batch', {
      headers: { 'x-operator-id': 'ops' },
    });
    return claim.body.status === 'paid' && paid.body.paid === 1 ? true : undefined;
  });
  before = await redisSnapshot(api.redis as Redis);
  last = before;
  tableStartedAt = Date.now();
}, 120_000);

describe(`${ROWS.length} bad requests at the edge of the local stack`, () => {
  it('has state to change: a funded packet, a paid claim, a paid payout batch, balances and a ledger', () => {
    const values = Object.entries(before);
    const has = (suffix: string, check: (v: KeySnapshot) => boolean) =>
      values.some(([key, v]) => key.endsWith(suffix) && check(v));
    expect(has(`{${made.mine}}:packet`, (v) => v.type === 'hash')).toBe(true);
    expect(has(`{${made.mine}}:claims`, (v) => JSON.stringify(v.value).includes('paid'))).toBe(true);
    expect(
      has(`{${made.op}}:batch:edge-batch`, (v) => (v.value as Record<string, string>).paid === '1'),
    ).toBe(true);
    expect(
      has(`{${made.op}}:ledger`, (v) => v.type === 'stream' && (v.value as unknown[]).length === 1),
    ).toBe(true);
    const accounts = values.filter(([key]) => key.endsWith(':account'));
    expect(accounts.length).toBeGreaterThanOrEqual(3);
    expect(accounts.some(([, v]) => Number((v.value as Record<string, string>).balance) > 0)).toBe(true);
    expect(ROWS.length).toBeGreaterThanOrEqual(100);
  });

  it.each(
    ROWS.map(
      (row) =>
        [`${row.method} ${row.path.slice(0, 60)}: ${row.label} → ${row.status} ${row.code}`, row] as const,
    ),
  )('%s', async (_, row) => {
    const reply = await send(row.method, fill(row.path), row.headers ?? [], fill(row.body));
    let body: { error?: { code?: unknown; message?: unknown; details?: unknown } } = {};
    try {
      body = JSON.parse(reply.text);
    } catch {
      // not JSON: the shape check below says so, with the text
    }
    expect({ status: reply.status, code: body.error?.code }, reply.text.slice(0, 300)).toEqual({
      status: row.status,
      code: row.code,
    });
    // Our JSON error shape, and nothing else.
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toEqual({
      code: expect.any(String),
      message: expect.any(String),
      details: expect.any(Array),
    });
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    // No stack trace, file path or framework page; no route listing.
    expect(reply.text).not.toMatch(
      /\bat \S+ \(|\.(ts|js|mjs):\d+|\/work\/|node_modules|file:\/\/|serverless-offline/i,
    );
    expect(reply.text).not.toMatch(/existingRoutes|currentRoute/);
    for (const key of ROUTE_KEYS)
      expect(reply.text).not.toContain(key.split(' ')[1]?.includes('{') ? key.split(' ')[1] : key);
    // Short messages: an id is echoed truncated, never in full.
    expect(String(body.error?.message).length).toBeLessThanOrEqual(200);
    if (row.longId) {
      expect(body.error?.message).not.toContain(row.longId);
      expect(body.error?.message).toContain(`${row.longId.slice(0, 64)}…`);
    }
    // Every answer: not to be sniffed into another type, never cached.
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['cache-control']).toBe('no-store');
    if (row.allow) expect(reply.headers.allow).toBe(row.allow);
    // Nothing changed (against the state before this row, so a row that writes fails alone).
    const after = await redisSnapshot(api.redis as Redis);
    const prior = last;
    last = after;
    expect(after).toEqual(prior);
  });

  it('changed no key of Redis over the whole table', async () => {
    expect(await redisSnapshot(api.redis as Redis)).toEqual(before);
    console.log(`edge table: ${ROWS.length} rows in ${Date.now() - tableStartedAt} ms`);
  });
});

describe('pages at the edge of the cursor space', () => {
  it('answers the largest cursor the ledger could hold with an empty page, and the one before it with the rest', async () => {
    const headers = { 'x-user-id': 'alice' };
    const last = await api.request(
      'GET',
      `/packets/${made.mine}/payouts?cursor=18446744073709551615-18446744073709551615`,
      { headers },
    );
    const almost = await api.request(
      'GET',
      `/packets/${made.mine}/payouts?cursor=18446744073709551615-18446744073709551614`,
      { headers },
    );
    const first = await api.request('GET', `/packets/${made.mine}/payouts?cursor=0-0&limit=1000`, {
      headers,
    });
    expect(last).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    expect(almost).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    expect(first).toMatchObject({ status: 200, body: { items: [{ userId: 'bob' }], nextCursor: null } });
  });
});
