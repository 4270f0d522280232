/**
 * Whether a failed SQS call definitely did not enqueue anything: the service answered and refused (an HTTP
 * 4xx: access denied, no such queue, throttled, invalid parameter). Anything else (a timeout, a reset
 * connection, a 5xx) is ambiguous: SQS may have stored the message and the reply was lost.
 */
export function isDefiniteRefusal(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}
