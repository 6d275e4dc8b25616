/**
 * The dunning policy as data: levels by days relative to the due date, channel, template, minimum
 * amount, optional fee and interest, tasks, key focus and exclusions. The shipped default is
 * collections/dunning-policy.yaml; `collections.policy` in arlens.config.yaml names another file.
 * Parsing is strict: an unknown key, a level out of order or a money value that is not a decimal is
 * an error naming the key, never a silent default.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseMinor } from '../core/minor-units.ts';

export const DEFAULT_POLICY_FILE = fileURLToPath(new URL('./dunning-policy.yaml', import.meta.url));

const Money = z
  .string()
  .regex(/^\d{1,13}(\.\d{1,2})?$/, 'a non-negative amount as text, e.g. "10.00"')
  .transform((s) => toMinor(s));
const Percent = z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'a percentage as text, e.g. "8" or "8.5"');

export const TEMPLATE_KEYS = ['reminder_friendly', 'reminder_mild', 'reminder_firm', 'final_notice'] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

const LevelSchema = z.strictObject({
  level: z.number().int().min(1).max(9),
  name: z.string().min(1).max(60),
  days: z.number().int().min(-365).max(3650),
  channel: z.enum(['email', 'letter']),
  template: z.enum(TEMPLATE_KEYS),
  task: z.strictObject({ due_in_days: z.number().int().min(0).max(365) }).optional(),
  key_focus: z.boolean().default(false),
  fee: Money.default(0n),
  interest_rate_percent: Percent.default('0'),
});

const PolicySchema = z.strictObject({
  minimum_amount: Money.default(0n),
  repeat_after_days: z.number().int().min(1).max(365).default(14),
  levels: z
    .array(LevelSchema)
    .min(1)
    .refine((ls) => ls.every((l, i) => l.level === i + 1), 'levels must be numbered 1, 2, 3 … in order')
    .refine(
      (ls) => ls.every((l, i) => i === 0 || l.days > ls[i - 1]!.days),
      'each level must start later (more days) than the one before',
    ),
  exclusions: z
    .strictObject({
      disputed: z.literal(true).default(true),
      on_hold: z.literal(true).default(true),
      promise_pending: z.boolean().default(true),
      blacklisted: z.enum(['legal', 'dun']).default('legal'),
    })
    .default({ disputed: true, on_hold: true, promise_pending: true, blacklisted: 'legal' }),
});

export type DunningLevelPolicy = z.output<typeof LevelSchema>;
export interface DunningPolicy extends z.output<typeof PolicySchema> {
  /** SHA-256 of the file's text: a run records which policy proposed it. */
  readonly hash: string;
}

export class PolicyError extends Error {}

/** Parse a policy's YAML text; errors name the key. */
export function parsePolicy(text: string, source = 'the dunning policy'): DunningPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new PolicyError(`${source} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const parsed = PolicySchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
      .join('; ');
    throw new PolicyError(`${source}: ${problems}`);
  }
  return { ...parsed.data, hash: createHash('sha256').update(text).digest('hex') };
}

export function loadPolicy(path: string = DEFAULT_POLICY_FILE): DunningPolicy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PolicyError(`Cannot read the dunning policy ${path}: ${(e as Error).message}`);
  }
  return parsePolicy(text, path);
}

/** The level an item reaches `daysPastDue` days after its due date (negative: before), or 0. */
export function levelFor(policy: DunningPolicy, daysPastDue: number): number {
  let level = 0;
  for (const l of policy.levels) if (daysPastDue >= l.days) level = l.level;
  return level;
}

export function levelPolicy(policy: DunningPolicy, level: number): DunningLevelPolicy {
  const l = policy.levels[level - 1];
  if (!l) throw new PolicyError(`The dunning policy has no level ${level}.`);
  return l;
}

// ---------- exact money: integer minor units (2 decimals) as bigint, decimal strings across JSON

/** '1234.5' → 123450n; '-0.01' → -1n. Throws on anything that is not a plain decimal. */
export function toMinor(amount: string): bigint {
  const v = parseMinor(amount);
  if (v === null) throw new PolicyError(`"${amount.trim().slice(0, 40)}" is not an amount`);
  return v;
}

/** 123450n → '1234.50'. */
export { minorText as fromMinor } from '../core/minor-units.ts';
