import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ValidationError } from '../packets/errors.ts';
import { packetIdSchema } from '../packets/packetIdSchema.ts';
import { batchIdSchema, claimIdSchema, ownerIdSchema } from '../packets/schemas.ts';
import type * as z from '../z.ts';

/** Every `{param}` of the route table, with the schema its value must meet. */
export const PATH_PARAMS = {
  packetId: packetIdSchema,
  claimId: claimIdSchema,
  batchId: batchIdSchema,
  owner: ownerIdSchema,
} as const satisfies Record<string, z.ZodMiniType<string>>;

/** The name of a path parameter. */
export type PathParamName = keyof typeof PATH_PARAMS;

/**
 * The path parameter `name`, checked against its schema before anything reads Redis with it: 400
 * `invalid_input` (the value is never echoed) when malformed or absent.
 */
export function pathParam(event: APIGatewayProxyEventV2, name: PathParamName): string {
  const result = PATH_PARAMS[name].safeParse(event.pathParameters?.[name] ?? '');
  if (result.success) return result.data;
  throw new ValidationError(
    'path',
    result.error.issues.map((issue) => ({ path: name, message: issue.message })),
  );
}
