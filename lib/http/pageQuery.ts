import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type Page, pageSchema, parseOrThrow } from '../packets/schemas.ts';

/**
 * The `?limit&cursor` of a ledger page, checked against `pageSchema` before anything is read: 400
 * `invalid_input` for a limit that is not a decimal from 1 to 1000 or a cursor the ledger cannot have
 * written. A repeated parameter arrives comma-joined, and is refused as malformed.
 */
export function pageQuery(event: APIGatewayProxyEventV2): Page {
  const { limit, cursor } = event.queryStringParameters ?? {};
  return parseOrThrow(
    pageSchema,
    {
      // Only plain decimals become numbers: `1e2`, ` 5` or `0x10` stay strings, and the schema refuses them.
      ...(limit === undefined ? {} : { limit: /^\d{1,16}$/.test(limit) ? Number(limit) : limit }),
      ...(cursor === undefined ? {} : { cursor }),
    },
    'page',
  );
}
