import type { Route } from './routes';

const ERROR = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, fix: { type: 'string' }, component: { type: 'string' }, property: { type: 'string' } }, required: ['code', 'message'] } },
};

/** The OpenAPI 3.1 document of the admin API, made from the same route table the server runs. */
export function openApiDocument(routes: readonly Route[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([a-z]+)/g, '{$1}');
    const parameters = [
      ...Object.entries(route.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema })),
      ...Object.entries(route.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema })),
    ];
    paths[path] ??= {};
    paths[path]![route.method] = {
      summary: route.summary,
      'x-role': route.role,
      security: [{ bearer: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
      responses: {
        200: { description: 'OK', content: { [route.events ? 'text/event-stream' : route.path === '/metrics' ? 'text/plain' : 'application/json']: {} } },
        400: { description: 'Invalid input', content: { 'application/json': { schema: ERROR } } },
        401: { description: 'No valid token', content: { 'application/json': { schema: ERROR } } },
        ...(route.role === 'admin' ? { 403: { description: 'The token has the read role only', content: { 'application/json': { schema: ERROR } } } } : {}),
        404: { description: 'Unknown flow, component or property (the message names the known ones)', content: { 'application/json': { schema: ERROR } } },
        ...(route.method === 'patch' ? { 409: { description: 'The property needs a restart (send again with ?restart=true)', content: { 'application/json': { schema: ERROR } } } } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Flowcast admin API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `flowcast token create NAME --role read|admin`' } } },
    paths,
  };
}
