import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../../lib/http/matchRoute.ts';
import { noRouteError } from '../../../lib/http/noRouteError.ts';
import { PATH_PARAMS } from '../../../lib/http/pathParam.ts';
import { ROUTE_KEYS } from '../../../lib/http/routes.ts';

describe('matchRoute', () => {
  it('finds the route of a method and path, with every method its path allows', () => {
    expect(matchRoute('GET', '/packets/pk_x')).toEqual({ route: 'GET /packets/{packetId}', allow: ['GET'] });
    expect(matchRoute('POST', '/admin/balances/op:x/credits')).toEqual({
      route: 'POST /admin/balances/{owner}/credits',
      allow: ['POST'],
    });
    expect(matchRoute('GET', '/balance').route).toBe('GET /balance');
  });

  it('gives the allowed methods of a known path under another method, and none for an unknown path', () => {
    expect(matchRoute('DELETE', '/packets')).toEqual({ route: undefined, allow: ['POST'] });
    expect(matchRoute('POST', '/packets/pk_x')).toEqual({ route: undefined, allow: ['GET'] });
    expect(matchRoute('get', '/balance')).toEqual({ route: undefined, allow: ['GET'] });
    for (const path of [
      '/',
      '',
      '/nope',
      '/packets/',
      '/packets//claims',
      '/balance/x',
      '/PACKETS',
      '/admin',
    ]) {
      expect(matchRoute('GET', path)).toEqual({ route: undefined, allow: [] });
    }
  });

  it('matches every route of the table, and each {param} of it has a schema', () => {
    for (const key of ROUTE_KEYS) {
      const [method = '', template = ''] = key.split(' ');
      expect(matchRoute(method, template.replace(/\{\w+\}/g, 'v')).route).toBe(key);
      for (const [, name] of template.matchAll(/\{(\w+)\}/g))
        expect(Object.keys(PATH_PARAMS)).toContain(name);
    }
  });
});

describe('noRouteError', () => {
  it('is a 404 route_not_found for an unknown path, never listing routes or echoing the request', () => {
    const error = noRouteError('GET', '/secret/path');
    expect([error.status, error.code, error.headers]).toEqual([404, 'route_not_found', {}]);
    expect(error.message).not.toMatch(/secret|packets|\//);
  });

  it('is a 405 method_not_allowed with an allow header for a known path under another method', () => {
    const error = noRouteError('PUT', '/packets/pk_x');
    expect([error.status, error.code, error.headers]).toEqual([405, 'method_not_allowed', { allow: 'GET' }]);
  });
});
