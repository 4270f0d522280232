/**
 * `npm start`: the whole pipeline on this machine. Redis (REDIS_URL or a private redis-server), fauxqs on
 * 127.0.0.1:4566 (or SQS_ENDPOINT), and serverless-offline with the project's SQS event source. Prints the
 * URLs; Ctrl-C stops everything it started.
 */
import { startLocalStack } from './startLocalStack.ts';

const portFrom = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
const stack = await startLocalStack({
  ...(process.env.SQS_ENDPOINT ? { sqsEndpoint: process.env.SQS_ENDPOINT } : {}),
  // HTTP_PORT, LAMBDA_PORT and SQS_PORT move the stack (0 picks a free port).
  ...(portFrom('HTTP_PORT') === undefined ? {} : { httpPort: portFrom('HTTP_PORT') }),
  ...(portFrom('LAMBDA_PORT') === undefined ? {} : { lambdaPort: portFrom('LAMBDA_PORT') }),
  ...(portFrom('SQS_PORT') === undefined ? {} : { sqsPort: portFrom('SQS_PORT') }),
  offlineLog: process.env.OFFLINE_LOG ?? 'inherit',
}).catch((error: unknown) => {
  console.error(`could not start the local stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
console.log(`
red-packet payouts, local stack
  HTTP API     ${stack.httpUrl}
    try: curl -X POST ${stack.httpUrl}/admin/balances/alice/credits -d '{"amount":10000,"reference":"try-1"}'
         curl -X POST ${stack.httpUrl}/packets -H 'x-user-id: alice' -d '{"totalAmount":10000,"count":10}'
  SQS          ${stack.sqsEndpoint}
  claims queue ${stack.queues.queueUrl}
  DLQ          ${stack.queues.deadLetterQueueUrl}
  Redis        ${stack.redisUrl}
The operator CLI (npx red-packets --help) finds them with:
  export REDIS_URL=${stack.redisUrl} SQS_ENDPOINT=${stack.sqsEndpoint} CLAIMS_QUEUE_URL=${stack.queues.queueUrl}
Ctrl-C stops everything.`);
process.send?.({
  type: 'ready',
  httpUrl: stack.httpUrl,
  redisUrl: stack.redisUrl,
  sqsEndpoint: stack.sqsEndpoint,
});
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    void stack.stop().then(() => process.exit(0));
  });
}
