/**
 * `npm start`: the whole pipeline on this machine. Redis (REDIS_URL or a private redis-server), fauxqs on
 * 127.0.0.1:4566 (or SQS_ENDPOINT), and serverless-offline with the project's SQS event source. Prints the
 * URLs. SIGINT or SIGTERM (Ctrl-C, or sent to `npm start`, whose script execs this process) stops
 * everything it started; a serverless-offline that dies is restarted on the same ports.
 */
import { startLocalStack } from './startLocalStack.ts';

/** A whole-number setting from the environment; anything else stops here, before anything is started. */
const numberFrom = (name: string): number | undefined => {
  const text = process.env[name];
  if (text === undefined) return undefined;
  if (!/^\d{1,6}$/.test(text)) {
    console.error(`could not start the local stack: ${name} must be a whole number, got "${text}"`);
    process.exit(2);
  }
  return Number(text);
};
const stack = await startLocalStack({
  ...(process.env.SQS_ENDPOINT ? { sqsEndpoint: process.env.SQS_ENDPOINT } : {}),
  // HTTP_PORT, LAMBDA_PORT and SQS_PORT move the stack (0 picks a free port).
  ...(numberFrom('HTTP_PORT') === undefined ? {} : { httpPort: numberFrom('HTTP_PORT') }),
  ...(numberFrom('LAMBDA_PORT') === undefined ? {} : { lambdaPort: numberFrom('LAMBDA_PORT') }),
  ...(numberFrom('SQS_PORT') === undefined ? {} : { sqsPort: numberFrom('SQS_PORT') }),
  offlineLog: process.env.OFFLINE_LOG ?? 'inherit',
  // The claims queue's visibility timeout (s): how soon a record a dead poller held comes back (180 s as
  // deployed); a few seconds suit a demo or a crash test, below the 30 s consumer timeout at your own risk.
  ...(numberFrom('VISIBILITY_TIMEOUT_SECONDS') === undefined
    ? {}
    : { visibilityTimeoutSeconds: numberFrom('VISIBILITY_TIMEOUT_SECONDS') }),
  // serverless-offline that dies (a crash, a SIGKILL) comes back on the same ports by itself.
  superviseOffline: true,
  onOffline: (event) => {
    if (event.type === 'died') console.error(`serverless offline died (${event.reason}): restarting it…`);
    else if (event.type === 'restarted') console.error('serverless offline is back on the same ports');
    else console.error(`serverless offline did not come back (${event.error}): trying again`);
    process.send?.({
      type: `offline_${event.type}`,
      ...(event.type === 'restarted' ? { pid: event.pid } : {}),
    });
  },
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
  offlinePid: stack.offlinePid,
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
