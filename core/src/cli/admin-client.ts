import fs from 'node:fs';
import path from 'node:path';
import { stateDirectory } from '../admin/tokens';
import { FlowcastError } from '../errors/flowcast-error';

/** Where the command-line clients find the admin API and their token. */
export interface AdminTarget {
  readonly url: string;
  readonly token?: string;
}

/**
 * FLOWCAST_ADMIN_URL and FLOWCAST_TOKEN, else the project's .flowcast/admin.json
 * (`{ "url": …, "token": … }`, kept 0600), else http://127.0.0.1:FLOWCAST_ADMIN_PORT (8900).
 */
export function adminTarget(env: NodeJS.ProcessEnv, project: string): AdminTarget {
  let file: { url?: string; token?: string } = {};
  try {
    file = JSON.parse(fs.readFileSync(path.join(stateDirectory(project, env), 'admin.json'), 'utf8')) as typeof file;
  } catch {
    // no file: the environment and defaults
  }
  const url = env.FLOWCAST_ADMIN_URL ?? file.url ?? `http://127.0.0.1:${env.FLOWCAST_ADMIN_PORT && /^\d+$/.test(env.FLOWCAST_ADMIN_PORT) ? env.FLOWCAST_ADMIN_PORT : 8900}`;
  const token = env.FLOWCAST_TOKEN ?? file.token;
  return { url: url.replace(/\/+$/, ''), ...(token ? { token } : {}) };
}

/** Call the admin API; a coded error for an unreachable server or an error answer. */
export async function callAdmin(target: AdminTarget, method: string, route: string, body?: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(target.url + route, {
      method,
      headers: { ...(target.token ? { authorization: `Bearer ${target.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new FlowcastError('FC_ADMIN_UNREACHABLE', `no Flowcast server answers at ${target.url} (${cause}): is \`flowcast serve\` running?`);
  }
  if (response.ok) return response;
  let answer: { error?: { code?: string; message?: string; fix?: string } } = {};
  try {
    answer = (await response.json()) as typeof answer;
  } catch {
    // not JSON: the status says it
  }
  const e = answer.error;
  if (response.status === 401) throw new FlowcastError('FC_ADMIN_AUTH', `the server at ${target.url} wants a valid token${target.token ? '' : ' and none was given'}`, { fix: 'set FLOWCAST_TOKEN to a token from `flowcast token create NAME --role admin` (run where the server runs)' });
  throw new FlowcastError((e?.code ?? 'FC_ADMIN_REQUEST') as never, e?.message ?? `the server answered ${response.status}`, e?.fix ? { fix: e.fix } : {});
}

export async function adminJson<T>(target: AdminTarget, method: string, route: string, body?: unknown): Promise<T> {
  return (await (await callAdmin(target, method, route, body)).json()) as T;
}
