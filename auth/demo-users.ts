/**
 * One-click demo users, on the demo data set only (server/demo.ts decides). Each role and scope has
 * one account (`demo-cfo`, `demo-sales_lead-latam`, …) flagged `demo`: it has no password, cannot
 * sign in any other way, and its sessions stop being accepted as soon as the server serves anything
 * but the demo data (auth/sessions.ts). Its actions are audited like anyone's, under its name.
 */
import { createHash } from 'node:crypto';
import type { OpsStore } from '../ops/store.ts';
import type { Role } from './policy.ts';
import { addUser, findUser, type User } from './users.ts';

const NAMES: Record<Role, string> = {
  admin: 'Demo administrator',
  cfo: 'Demo CFO',
  analyst: 'Demo analyst',
  sales_lead: 'Demo sales lead',
  collector: 'Demo credit controller',
  credit_manager: 'Demo credit manager',
};

function slug(scope: string): string {
  const plain = scope
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 24);
  // Two scopes with the same plain letters (or none: 営業部) still get their own account.
  return `${plain || 'x'}-${createHash('sha256').update(scope).digest('hex').slice(0, 6)}`;
}

export function demoUser(
  store: OpsStore,
  scope: { role: Role; regions: readonly string[]; portfolio: string | null },
): User {
  const part =
    scope.role === 'sales_lead' ? scope.regions[0]! : scope.role === 'collector' ? scope.portfolio! : '';
  const username = part ? `demo-${scope.role}-${slug(part)}` : `demo-${scope.role}`;
  const existing = findUser(store, username);
  if (existing) return existing;
  try {
    return addUser(
      store,
      { id: null, name: 'system', address: null },
      {
        username,
        displayName: part ? `${NAMES[scope.role]} · ${part}` : NAMES[scope.role],
        role: scope.role,
        regions: scope.regions,
        portfolio: scope.portfolio,
        passwordHash: null,
        demo: true,
      },
    );
  } catch (e) {
    // Another request created it in the meantime.
    const made = findUser(store, username);
    if (made) return made;
    throw e;
  }
}
