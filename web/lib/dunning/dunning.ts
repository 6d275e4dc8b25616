/**
 * The dunning ladder (marts.fct_invoices.dunning_level). The day thresholds are the dbt project's
 * vars in models/dbt_project.yml; a test reads that file, so a change there fails until this follows.
 */

/** 0 none, 1 reminder before due, 2 mild reminder, 3 collection task, 4 escalation. */
export type DunningLevel = 0 | 1 | 2 | 3 | 4;

/** The levels a collector works, most urgent first. */
export const WORK_LEVELS = [4, 3, 2, 1] as const satisfies readonly DunningLevel[];
export type WorkLevel = (typeof WORK_LEVELS)[number];

/** Days relative to the due date at which each level starts (models/dbt_project.yml vars). */
export const DUNNING_DAYS = {
  /** dunning_reminder_days_before_due: level 1 starts this many days before the due date. */
  reminderBeforeDue: 3,
  /** dunning_mild_days: level 2 from this many days past due. */
  mild: 7,
  /** dunning_collection_days: level 3. */
  collection: 30,
  /** dunning_escalation_days: level 4. */
  escalation: 60,
} as const;

/** A dunning level from Cube's value, or null when it is not 0–4. */
export function dunningLevel(v: number | null): DunningLevel | null {
  return v === 0 || v === 1 || v === 2 || v === 3 || v === 4 ? v : null;
}

export function isWorkLevel(v: number | null): v is WorkLevel {
  return v === 1 || v === 2 || v === 3 || v === 4;
}
