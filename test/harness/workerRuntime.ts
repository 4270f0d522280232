import type { WorkerMessage } from './spawnWorker.ts';

/**
 * Worker side of {@link spawnWorker}: report messages to the test, receive commands, and turn an uncaught
 * failure into an `error` message (then exit 1) so the test fails with the reason.
 */
export function report(message: WorkerMessage): void {
  process.send?.(message);
}

/** Waits for the next command of `type` from the test. */
export function command<T extends WorkerMessage = WorkerMessage>(type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (raw: unknown) => {
      const message = raw as WorkerMessage;
      if (message.type !== type) return;
      process.off('message', onMessage);
      resolve(message as T);
    };
    process.on('message', onMessage);
  });
}

/** Runs `main` and reports a failure instead of dying silently. */
export function runWorker(main: () => Promise<void>): void {
  main().then(
    () => {
      process.disconnect?.();
    },
    (error: unknown) => {
      report({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
}

/** A worker's command handlers, by message type; each resolves with the message to report back. */
export type CommandHandlers = Record<string, (message: WorkerMessage) => Promise<WorkerMessage>>;

/**
 * Serves commands from the test: each message runs its handler and reports the reply, or an `error`
 * message (with the stack) if it fails or names no handler. Reports `ready` once listening.
 */
export function serveCommands(handlers: CommandHandlers): void {
  process.on('message', (raw) => {
    const message = raw as WorkerMessage;
    const handler = handlers[message.type];
    if (!handler) return report({ type: 'error', message: `unknown command ${message.type}` });
    handler(message).then(report, (error: unknown) =>
      report({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    );
  });
  report({ type: 'ready' });
}
