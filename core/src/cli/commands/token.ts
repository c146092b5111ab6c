import { ROLES, TokenStore, tokenFile, type Role } from '../../admin/tokens';
import { isFlowcastError } from '../../errors/flowcast-error';
import { EXIT, type CommandIO } from '../io';
import { findProjectRoot } from '../project';

export const TOKEN_HELP = `Usage: flowcast token create NAME --role read|admin
       flowcast token list
       flowcast token revoke NAME

Tokens for the admin API, the dashboard and the commands that use them (status, flow, set,
listeners, logs). \`create\` prints the new token once: only its scrypt hash is kept, in the
project's .flowcast/tokens.json (readable by its owner only). A read token sees everything; an
admin token also changes things. Revoking takes effect at once, even on a running server.`;

export async function tokenCommand(args: string[], options: { project?: string; role?: string }, io: CommandIO): Promise<number> {
  const store = new TokenStore(tokenFile(findProjectRoot(options.project, io.cwd), io.env));
  const [action, name] = args;
  try {
    switch (action) {
      case 'create': {
        if (!name) break;
        const role = (options.role ?? 'read') as Role;
        const { token, identity } = await store.create(name, role);
        io.err(`token "${identity.name}" (${identity.role}) created; it is shown this once:`);
        io.out(token);
        return EXIT.ok;
      }
      case 'list':
        for (const t of store.list()) io.out(`${t.name}\t${t.role}`);
        return EXIT.ok;
      case 'revoke':
        if (!name) break;
        if (!store.revoke(name)) {
          io.err(`flowcast token: there is no token named "${name}" (flowcast token list)`);
          return EXIT.invalid;
        }
        io.out(`token "${name}" revoked`);
        return EXIT.ok;
    }
  } catch (error) {
    io.err(isFlowcastError(error) ? error.message : String(error));
    return EXIT.invalid;
  }
  io.err(`flowcast token: ${TOKEN_HELP.split('\n').slice(0, 3).join('\n')} (roles: ${ROLES.join(', ')})`);
  return EXIT.invalid;
}
