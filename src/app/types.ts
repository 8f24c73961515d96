// The model `flarelift app` builds from a backend's code: jobs with their schedules, settings,
// findings. Scanners produce it; the converters and writers consume it.

/** Weekdays normalised to 0 = Sunday … 6 = Saturday (each scheduler's own numbering is mapped on read). */
export type Schedule =
  | { kind: 'interval'; seconds: number }
  | {
      kind: 'cron';
      /** Fields in crontab syntax (lists, ranges, steps); dayOfWeek already in 0 = Sunday numbering. */
      minute: string;
      hour: string;
      dayOfMonth: string;
      month: string;
      dayOfWeek: string;
      /** Seconds field when the scheduler has one ('0' when it fires on the minute). */
      second: string;
    };

export type SchedulerKind = 'apscheduler' | 'schedule' | 'celery-beat' | 'node-cron' | 'cron' | 'croner' | 'setInterval' | 'crontab';

export interface SourceRef {
  /** Path relative to the backend directory. */
  file: string;
  line: number;
}

export interface Job {
  /** The job's id, function or task name as the backend names it. */
  name: string;
  via: SchedulerKind;
  schedule: Schedule;
  /** IANA zone the schedule is written in; undefined = UTC. */
  timezone?: string;
  /** How the source wrote it, for the report. */
  described: string;
  at: SourceRef;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** Short machine-readable kind, e.g. `socketio`, `dst`, `subprocess`. */
  code: string;
  message: string;
  /** The Cloudflare replacement to use. */
  replacement?: string;
  /** Documentation pointer. */
  docs?: string;
  at?: SourceRef;
}

/** A setting the backend reads: from a .env file (with a value) or from the code (name only). */
export interface Setting {
  name: string;
  /** Present when the setting has a value in a .env file or a settings module. Never printed. */
  value?: string;
  from: SourceRef;
  /** A constant of a settings module (Django style): kept only when it is a credential. */
  fromModule?: boolean;
}

/** What a scanner found in one language's files. */
export interface CodeScan {
  jobs: Job[];
  findings: Finding[];
  settings: Setting[];
  /** Node built-ins imported (need `nodejs_compat`). */
  nodeBuiltins: string[];
  /** Features that shape the generated project. */
  features: Set<Feature>;
}

export type Feature = 'websocket' | 'cache' | 'redis' | 'bucket' | 'database';

export const emptyScan = (): CodeScan => ({ jobs: [], findings: [], settings: [], nodeBuiltins: [], features: new Set() });
