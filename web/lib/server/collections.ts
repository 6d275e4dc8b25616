/**
 * The dashboard's side of collections: the settings the server was started with (the dunning
 * policy, the company name on letters, SMTP), and who is acting (role and portfolio from the
 * session, never from the form).
 */
import type { RequestEvent } from '@sveltejs/kit';
import { CollectionsError, type Who } from '../../../collections/access.ts';
import type { SmtpConfig } from '../../../collections/mail.ts';
import { DEFAULT_POLICY_FILE, loadPolicy, type DunningPolicy } from '../../../collections/policy.ts';
import { actorOf } from './actor';

export interface CollectionsSettings {
  readonly policyFile?: string;
  readonly company?: string;
  readonly smtp?: SmtpConfig | null;
}

const KEY = Symbol.for('arlens.collections');

interface Provided {
  readonly settings: CollectionsSettings;
  policy?: DunningPolicy;
}

export function provideCollections(settings: CollectionsSettings): void {
  (globalThis as Record<symbol, unknown>)[KEY] = { settings } satisfies Provided;
}

function provided(): Provided {
  const g = globalThis as Record<symbol, unknown>;
  if (!g[KEY]) g[KEY] = { settings: {} } satisfies Provided;
  return g[KEY] as Provided;
}

/** The dunning policy (read once; a changed file is read at the next server start). */
export function dunningPolicy(): DunningPolicy {
  const p = provided();
  p.policy ??= loadPolicy(p.settings.policyFile ?? DEFAULT_POLICY_FILE);
  return p.policy;
}

export function company(): string {
  return provided().settings.company ?? 'ARLens';
}

export function smtp(): SmtpConfig | null {
  return provided().settings.smtp ?? null;
}

/** The signed-in person as collections sees them; refuses a request without a user. */
export function whoOf(event: RequestEvent): Who {
  const user = event.locals.user;
  if (!user) throw new CollectionsError('Sign in first.', 403);
  return {
    actor: actorOf(event),
    role: user.role,
    portfolio: user.role === 'collector' ? user.portfolio : null,
  };
}
