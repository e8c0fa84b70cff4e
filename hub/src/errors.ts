import type { ErrorBody, Issue } from '@showwire/protocol';
import { summarize } from '@showwire/protocol';

/** An error meant for the client: its status, a stable code, and a message a person can act on. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: Issue[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: this.code, message: this.message, ...(this.issues && { issues: this.issues }) };
  }
}

export const badRequest = (issues: Issue[], prefix = 'invalid request') =>
  new HttpError(400, 'validation_failed', `${prefix}: ${summarize(issues)}`, issues);
export const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message, undefined, { 'WWW-Authenticate': 'Bearer' });
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const unavailable = (message: string) => new HttpError(503, 'unavailable', message);
