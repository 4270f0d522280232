/**
 * Loaded into the serverless-offline process (`node --import`, by startLocalStack): every HTTP server it
 * starts hands requests on as API Gateway would hand them to a function, instead of answering for the
 * function. hapi creates its listener with `http.createServer()`, looked up when it starts, and this
 * listener runs before hapi's:
 * - repeated headers are combined with commas (see combineRepeatedHeaders): serverless-offline 14.8 builds
 *   `event.headers` with `Object.fromEntries` over the raw list, so the last of two `x-user-id` headers
 *   silently won; now the function sees both, and refuses them;
 * - a path that does not percent-decode is passed literally (see escapeUndecodablePath) rather than
 *   answered with hapi's 400 page.
 */
import http from 'node:http';
import { combineRepeatedHeaders } from './combineRepeatedHeaders.ts';
import { escapeUndecodablePath } from './escapeUndecodablePath.ts';

const createServer = http.createServer;

http.createServer = ((...args: Parameters<typeof http.createServer>) => {
  const server = createServer(...args);
  server.prependListener('request', (request: http.IncomingMessage) => {
    request.rawHeaders = combineRepeatedHeaders(request.rawHeaders);
    if (request.url !== undefined) request.url = escapeUndecodablePath(request.url);
  });
  return server;
}) as typeof http.createServer;
