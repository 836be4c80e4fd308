import { operationOf } from '../../src/docker/instrument';

describe('Docker request operations', () => {
  test.each([
    ['GET', '/containers/json?', 'GET /containers/json'],
    ['GET', '/v1.41/containers/json?all=1', 'GET /containers/json'],
    ['POST', '/containers/create?', 'POST /containers/create'],
    ['POST', '/containers/0123abcd/start?', 'POST /containers/{id}/start'],
    ['DELETE', '/containers/web?', 'DELETE /containers/{id}'],
    ['GET', '/containers/web/json', 'GET /containers/{id}/json'],
    ['POST', '/networks/abc/connect', 'POST /networks/{id}/connect'],
    ['GET', '/networks?', 'GET /networks'],
    ['GET', '/images/library/nginx:1.27/json', 'GET /images/{id}/json'],
    ['POST', '/images/create?fromImage=x', 'POST /images/create'],
    ['GET', '/_ping', 'GET /_ping'],
    ['GET', '/events?filters=x', 'GET /events'],
  ])('%s %s is %s', (method, path, op) => {
    expect(operationOf(method, path)).toBe(op);
  });
});
