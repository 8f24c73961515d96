// A finding is one thing the plan tells the user: what, where, why, and what to do about it.

export type Severity = 'blocker' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** Stable machine code, e.g. 'trigger-not-carried', 'd1-too-many-columns'. Documented in README. */
  code: string;
  /** The object concerned: `table`, `table.column`, `trigger name on table`, ... */
  object: string;
  message: string;
  fix: string;
}

const ORDER: Record<Severity, number> = { blocker: 0, warning: 1, info: 2 };

export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => ORDER[a.severity] - ORDER[b.severity] || a.code.localeCompare(b.code) || a.object.localeCompare(b.object),
  );
}
