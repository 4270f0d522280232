/** An error meant for an HTTP client: its status, snake_case code and message are shown as they are. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown[];
  /** Headers the answer carries besides the JSON ones (e.g. `allow` on a 405). */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    details: unknown[] = [],
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}
