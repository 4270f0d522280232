import type { Context } from 'aws-lambda';

let invocations = 0;

/** A Lambda context as the runtime passes it to function `name`, with a fresh request id each call. */
export function lambdaContext(name: string, remainingMs = 30_000): Context {
  return {
    functionName: `red-packet-payouts-test-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:red-packet-payouts-test-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: `req-${++invocations}`,
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as Context;
}
