/**
 * The credit policy as data: a YAML file (docs/credit.md documents every key). `defaults` hold for
 * every customer; `regions.<region>` overrides them, and `segments.<segment>` overrides both (the
 * most specific wins, key by key). `approval.credit_manager_max` is the limit (reporting currency)
 * up to which a credit manager alone approves a limit request; above it a CFO must also approve.
 */
import { promises as fs } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_CONFIG, IN_DEFAULT_BAND } from '../ml/config.ts';
import { parseCents } from './money.ts';

const Decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  try {
    const c = parseCents(v, 'amount');
    if (c < 0) throw new Error('negative');
    return c;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'an amount like 100000.00, not negative' });
    return z.NEVER;
  }
});

/**
 * The risk model's bands (ml/config.ts) and the band of customers already in default: a policy naming
 * another (a typo, `very_high` for `very high`) would never match a customer, so it is refused.
 */
export const RISK_BANDS: readonly string[] = [...DEFAULT_CONFIG.bands.map((b) => b.name), IN_DEFAULT_BAND];
const Band = z.string().refine((b) => RISK_BANDS.includes(b), {
  message: `not a risk band: use ${RISK_BANDS.map((b) => `"${b}"`).join(', ')}`,
});

const Outcome = z.enum(['hold', 'escalate']);

const Thresholds = z.strictObject({
  /** An open invoice more than this many days past due holds the order. */
  overdue_days: z.number().int().min(0).max(3650).optional(),
  /** Risk bands whose orders are held, and those escalated. */
  hold_risk_bands: z.array(Band).optional(),
  escalate_risk_bands: z.array(Band).optional(),
  /** Exposure + order over the limit: hold; over it by more than this share of the limit: escalate. */
  escalate_over_limit_share: z.number().min(0).max(100).optional(),
  /** What a customer without a limit gets. */
  missing_limit: Outcome.optional(),
  /** An order at or above this amount (reporting currency) is escalated whatever else holds. */
  escalate_order_amount: Decimal.nullable().optional(),
});
export type Thresholds = z.infer<typeof Thresholds>;

const PolicySchema = z.strictObject({
  version: z.literal(1),
  approval: z.strictObject({ credit_manager_max: Decimal }),
  defaults: Thresholds.required({
    overdue_days: true,
    hold_risk_bands: true,
    escalate_risk_bands: true,
    escalate_over_limit_share: true,
    missing_limit: true,
  }),
  regions: z.record(z.string().min(1), Thresholds).default({}),
  segments: z.record(z.string().min(1), Thresholds).default({}),
});
export type CreditPolicy = z.infer<typeof PolicySchema>;

export interface EffectiveThresholds {
  readonly overdueDays: number;
  readonly holdRiskBands: readonly string[];
  readonly escalateRiskBands: readonly string[];
  readonly escalateOverLimitShare: number;
  readonly missingLimit: 'hold' | 'escalate';
  readonly escalateOrderCents: number | null;
}

export const DEFAULT_POLICY_YAML = `# ARLens credit policy (docs/credit.md). Amounts in the reporting currency.
version: 1
approval:
  # A credit manager approves a limit up to this; above it a CFO must also approve.
  credit_manager_max: "250000.00"
defaults:
  overdue_days: 60
  hold_risk_bands: [high]
  escalate_risk_bands: [very high, in default]
  escalate_over_limit_share: 0.25
  missing_limit: escalate
  escalate_order_amount: "500000.00"
regions: {}
segments: {}
`;

export class PolicyError extends Error {}

export function parsePolicy(text: string, source = 'the credit policy'): CreditPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new PolicyError(`${source} is not valid YAML: ${(e as Error).message}`);
  }
  const r = PolicySchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new PolicyError(`${source}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return r.data;
}

export const DEFAULT_POLICY: CreditPolicy = parsePolicy(DEFAULT_POLICY_YAML, 'the built-in policy');

/** The policy in `path`, or the built-in one when `path` is undefined or the file does not exist. */
export async function loadPolicy(path: string | undefined): Promise<CreditPolicy> {
  if (!path) return DEFAULT_POLICY;
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_POLICY;
    throw e;
  }
  return parsePolicy(text, path);
}

/** The thresholds for a customer of `region` and `segment`: defaults < region < segment. */
export function thresholdsFor(
  policy: CreditPolicy,
  region: string | null,
  segment: string | null,
): EffectiveThresholds {
  const merged = {
    ...policy.defaults,
    ...(region !== null && Object.hasOwn(policy.regions, region) ? policy.regions[region] : {}),
    ...(segment !== null && Object.hasOwn(policy.segments, segment) ? policy.segments[segment] : {}),
  };
  return {
    overdueDays: merged.overdue_days,
    holdRiskBands: merged.hold_risk_bands,
    escalateRiskBands: merged.escalate_risk_bands,
    escalateOverLimitShare: merged.escalate_over_limit_share,
    missingLimit: merged.missing_limit,
    escalateOrderCents: merged.escalate_order_amount ?? null,
  };
}
