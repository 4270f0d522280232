import { HttpError } from '../lib/http/HttpError.ts';
import { httpHandler, pathParam } from '../lib/http/httpHandler.ts';
import { json } from '../lib/http/toHttpResponse.ts';

/** `GET /packets/{packetId}/payouts?limit&cursor` → 200 `{items, nextCursor}`. */
export const handler = httpHandler(async ({ event, services }) => {
  const { limit, cursor } = event.queryStringParameters ?? {};
  if (limit !== undefined && !/^\d{1,4}$/.test(limit)) {
    throw new HttpError(400, 'invalid_input', 'limit must be an integer from 1 to 1000');
  }
  const page = await services.packets.listPayouts(pathParam(event, 'packetId'), {
    ...(limit === undefined ? {} : { limit: Number(limit) }),
    ...(cursor === undefined ? {} : { cursor }),
  });
  return json(200, page);
});
