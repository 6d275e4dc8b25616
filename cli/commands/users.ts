/**
 * `arlens users …`, `arlens audit …` and `arlens ops backup`: accounts, the audit log and the
 * operational store, from the server's shell. Every change is audited as `cli:<os user>`.
 */
import { userInfo } from 'node:os';
import { Option, type Command } from 'commander';
import { generatePassword, hashPassword, passwordProblem } from '../../auth/passwords.ts';
import { ROLES, type Role } from '../../auth/policy.ts';
import {
  addUser,
  disableUser,
  enableUser,
  listUsers,
  setPasswordHash,
  setRole,
  unlinkOidc,
  UserError,
} from '../../auth/users.ts';
import { listAudit, verifyAudit, type Actor } from '../../ops/audit.ts';
import { backupOpsStore, openOpsStore, opsStorePath, type OpsStore } from '../../ops/store.ts';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';

export function storePath(c: Config): string {
  return c.auth.ops_store ?? opsStorePath(c.warehouse);
}

async function withStore<T>(ctx: Context, fn: (store: OpsStore) => Promise<T> | T): Promise<T> {
  const store = openOpsStore(storePath(await ctx.config()));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

export function cliActor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No user name on this system (some containers).
  }
  return { id: null, name: `cli:${name}`, address: 'cli' };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The password to set: from stdin (--password-stdin), checked; or a generated one, printed once. */
async function newPassword(
  fromStdin: boolean | undefined,
): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  const password = await readStdin();
  const problem = passwordProblem(password);
  if (problem) throw new UserError(problem);
  return { password, generated: false };
}

interface ScopeOptions {
  region?: string[];
  portfolio?: string;
}

const roleOption = () => new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory();

export function registerUsers(program: Command, ctx: Context): void {
  const users = program
    .command('users')
    .description('User accounts: add, list, disable, change roles, reset passwords.');

  users
    .command('add <username>')
    .description('Add a user. Prints a generated password once, unless --password-stdin gives one.')
    .addOption(roleOption())
    .option('--name <name>', 'display name')
    .option('--email <email>', 'email (single sign-on matches users by it)')
    .option('--region <region...>', 'region(s) a sales_lead sees')
    .option('--portfolio <controller>', 'the credit controller name a collector works, as in the exports')
    .option('--password-stdin', 'read the password from standard input (at least 12 characters)')
    .option('--sso-only', 'no password: this user signs in through single sign-on only')
    .action(
      async (
        username: string,
        o: ScopeOptions & {
          role: Role;
          name?: string;
          email?: string;
          passwordStdin?: boolean;
          ssoOnly?: boolean;
        },
      ) => {
        const pw = o.ssoOnly ? null : await newPassword(o.passwordStdin);
        const hash = pw ? await hashPassword(pw.password) : null;
        await withStore(ctx, (store) => {
          const user = addUser(store, cliActor(), {
            username,
            displayName: o.name ?? username,
            email: o.email ?? null,
            role: o.role,
            regions: o.region ?? [],
            portfolio: o.portfolio ?? null,
            passwordHash: hash,
          });
          console.log(`Added ${user.username} (${user.role}).`);
          if (pw?.generated) console.log(`Password (shown once; hand it over safely): ${pw.password}`);
        });
      },
    );

  users
    .command('list')
    .description('List the users: name, role, scope, sign-in method and state.')
    .option('--json', 'as JSON')
    .option('--all', 'include the demo users')
    .action(async (o: { json?: boolean; all?: boolean }) => {
      await withStore(ctx, (store) => {
        const list = listUsers(store, o.all ? {} : { demo: false });
        if (o.json) {
          console.log(JSON.stringify(list, null, 2));
          return;
        }
        if (list.length === 0) {
          console.log('No users yet: arlens users add <name> --role admin');
          return;
        }
        for (const u of list) {
          const scope =
            u.role === 'sales_lead' ? ` [${u.regions.join(', ')}]` : u.portfolio ? ` [${u.portfolio}]` : '';
          const how = [u.hasPassword ? 'password' : null, u.oidcSubject ? 'sso' : null]
            .filter(Boolean)
            .join('+');
          console.log(
            `${u.username.padEnd(24)} ${(u.role + scope).padEnd(36)} ${(how || 'none').padEnd(13)} ${u.disabled ? 'disabled' : 'active'}${u.demo ? ' (demo)' : ''}`,
          );
        }
      });
    });

  users
    .command('disable <username>')
    .description('Disable a user: their sessions and API tokens stop working at once.')
    .action(async (username: string) => {
      await withStore(ctx, (store) => {
        disableUser(store, cliActor(), username);
        console.log(`Disabled ${username}; their sessions are revoked.`);
      });
    });

  users
    .command('enable <username>')
    .description('Enable a disabled user again.')
    .action(async (username: string) => {
      await withStore(ctx, (store) => {
        enableUser(store, cliActor(), username);
        console.log(`Enabled ${username}.`);
      });
    });

  users
    .command('set-role <username>')
    .description(
      "Change a user's role (and a sales lead's regions or a collector's portfolio); signs them out.",
    )
    .addOption(roleOption())
    .option('--region <region...>', 'region(s) a sales_lead sees')
    .option('--portfolio <controller>', 'the credit controller name a collector works')
    .action(async (username: string, o: ScopeOptions & { role: Role }) => {
      await withStore(ctx, (store) => {
        const u = setRole(store, cliActor(), username, {
          role: o.role,
          regions: o.region ?? [],
          portfolio: o.portfolio ?? null,
        });
        console.log(`${u.username} is now ${u.role}; their sessions are revoked.`);
      });
    });

  users
    .command('unlink-sso <username>')
    .description(
      "Remove a user's single-sign-on link (their provider identity changed); signs them out. Their next single sign-on links again by verified email.",
    )
    .action(async (username: string) => {
      await withStore(ctx, (store) => {
        unlinkOidc(store, cliActor(), username);
        console.log(
          `Removed ${username}'s single-sign-on link; their sessions are revoked. Their next single sign-on links again by verified email.`,
        );
      });
    });

  users
    .command('reset-password <username>')
    .description('Set a new password (generated and printed once, or --password-stdin); signs the user out.')
    .option('--password-stdin', 'read the password from standard input (at least 12 characters)')
    .action(async (username: string, o: { passwordStdin?: boolean }) => {
      const pw = await newPassword(o.passwordStdin);
      const hash = await hashPassword(pw.password);
      await withStore(ctx, (store) => {
        setPasswordHash(store, cliActor(), username, hash);
        console.log(`New password set for ${username}; their sessions are revoked and the lock-out cleared.`);
        if (pw.generated) console.log(`Password (shown once; hand it over safely): ${pw.password}`);
      });
    });

  const audit = program
    .command('audit')
    .description('The audit log of every change: list it, verify its chain.');
  audit
    .command('verify')
    .description(
      'Recompute the hash chain: exit 1 and name the first entry that was changed, removed or reordered.',
    )
    .action(async () => {
      await withStore(ctx, (store) => {
        const v = verifyAudit(store);
        if (v.ok) {
          console.log(`The audit log is intact: ${v.entries} entries; head ${v.head}`);
          console.log(
            'Keep the head somewhere else (a ticket, the backup log) to prove later that nothing was rewritten.',
          );
        } else {
          console.error(`The audit log was tampered with: ${v.problem} (checked ${v.entries} entries).`);
          process.exitCode = 1;
        }
      });
    });
  audit
    .command('list')
    .description('The newest entries first.')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .option('--action <prefix>', "only actions starting with this, e.g. 'user.' or 'sign_in'")
    .option('--json', 'as JSON lines')
    .action(async (o: { limit: number; action?: string; json?: boolean }) => {
      await withStore(ctx, (store) => {
        for (const e of listAudit(store, { limit: o.limit, ...(o.action ? { action: o.action } : {}) })) {
          if (o.json) console.log(JSON.stringify(e));
          else {
            const change = [e.before ? `before ${e.before}` : '', e.after ? `after ${e.after}` : '']
              .filter(Boolean)
              .join('  ');
            console.log(
              `${String(e.seq).padStart(6)}  ${e.at}  ${e.actor} (${e.address ?? '-'})  ${e.action}  ${e.target ?? ''}  ${change}`,
            );
          }
        }
      });
    });

  program
    .command('ops')
    .description('The operational store (users, sessions, audit log, and every decision people record).')
    .command('backup <file>')
    .description('Write a consistent copy of the operational store to <file> (safe while the server runs).')
    .action(async (file: string) => {
      await withStore(ctx, async (store) => {
        await backupOpsStore(store, file);
        const v = verifyAudit(store);
        console.log(
          `Backed up ${store.path} to ${file}.${v.ok ? ` Audit head: ${v.head} (${v.entries} entries).` : ''}`,
        );
      });
    });
}
