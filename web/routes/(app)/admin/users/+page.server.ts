/**
 * The Users page (admin): the accounts, adding one, disabling, enabling, a new role or password. The
 * rules and the audit are auth/users.ts's; this file reads the form and says what happened. Every
 * action re-checks the role (a form post is a request of its own) and carries the CSRF token (hooks).
 */
import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { isRole, mayDo } from '../../../../../auth/policy.ts';
import { generatePassword, hashPassword } from '../../../../../auth/passwords.ts';
import {
  addUser,
  disableUser,
  enableUser,
  listUsers,
  setPasswordHash,
  setRole,
  UserError,
} from '../../../../../auth/users.ts';
import { translator, type MessageKey } from '$lib/i18n/messages';
import { actorOf } from '$lib/server/actor';
import { auth } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ parent }) => {
  await parent();
  return { users: listUsers(auth().ops, { demo: false }) };
};

async function form(event: RequestEvent) {
  if (!event.locals.user || !mayDo(event.locals.user.role, 'users.manage'))
    error(403, 'Your role may not manage users.');
  const data = await event.request.formData();
  const t = translator(event.locals.lang);
  const field = (name: string) => {
    const v = data.get(name);
    return typeof v === 'string' ? v.trim() : '';
  };
  return { t, field, actor: actorOf(event) };
}

const list = (v: string) =>
  v
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/**
 * Run a change; a rule it breaks (UserError) is the form's message in the user's language, anything
 * else a server error.
 */
async function attempt(
  t: ReturnType<typeof translator>,
  fn: () => Promise<{ message: string }> | { message: string },
) {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof UserError) {
      const message = e.rule ? t(`admin.rule.${e.rule}`, e.params) : e.message;
      return fail(400, { message, error: true });
    }
    throw e;
  }
}

export const actions: Actions = {
  add: async (event) => {
    const { t, field, actor } = await form(event);
    return attempt(t, async () => {
      const sso = field('sso') === 'on';
      const password = sso ? null : generatePassword();
      const role = field('role');
      if (!isRole(role)) throw new UserError(t('signin.role'));
      const user = addUser(auth().ops, actor, {
        username: field('username'),
        displayName: field('name'),
        email: field('email') || null,
        role,
        regions: list(field('regions')),
        portfolio: field('portfolio') || null,
        passwordHash: password ? await hashPassword(password) : null,
      });
      return {
        message: password
          ? t('admin.added', { username: user.username, password })
          : t('admin.addedSso', { username: user.username, email: user.email ?? '' }),
      };
    });
  },
  disable: async (event) => {
    const { t, field, actor } = await form(event);
    return attempt(t, () => {
      const u = disableUser(auth().ops, actor, field('username'));
      return { message: t('admin.disabledDone', { username: u.username }) };
    });
  },
  enable: async (event) => {
    const { t, field, actor } = await form(event);
    return attempt(t, () => {
      const u = enableUser(auth().ops, actor, field('username'));
      return { message: t('admin.enabledDone', { username: u.username }) };
    });
  },
  reset: async (event) => {
    const { t, field, actor } = await form(event);
    return attempt(t, async () => {
      const password = generatePassword();
      const u = setPasswordHash(auth().ops, actor, field('username'), await hashPassword(password));
      return { message: t('admin.reset', { username: u.username, password }) };
    });
  },
  role: async (event) => {
    const { t, field, actor } = await form(event);
    return attempt(t, () => {
      const role = field('role');
      if (!isRole(role)) throw new UserError(t('signin.role'));
      const u = setRole(auth().ops, actor, field('username'), {
        role,
        regions: list(field('regions')),
        portfolio: field('portfolio') || null,
      });
      return {
        message: t('admin.roleChanged', { username: u.username, role: t(`role.${u.role}` as MessageKey) }),
      };
    });
  },
};
