// Where the tests find the real servers and the shared sample datasets.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** ../shared/datasets beside the repo, or FLARELIFT_DATASETS. Tests fail (never skip) when absent. */
export const DATASETS = process.env.FLARELIFT_DATASETS ?? path.resolve(REPO_ROOT, '../shared/datasets');
if (!existsSync(DATASETS)) throw new Error(`datasets not found at ${DATASETS}: set FLARELIFT_DATASETS`);

const pgHost = process.env.PGHOST ?? '127.0.0.1';
const pgPort = process.env.PGPORT ?? '5432';
const pgUser = process.env.PGUSER ?? 'postgres';
const myHost = process.env.MYSQL_HOST ?? '127.0.0.1';
const myPort = process.env.MYSQL_PORT ?? '3306';
const myUser = process.env.MYSQL_USER ?? 'root';

export const pgUrl = (db: string) => `postgres://${pgUser}@${pgHost}:${pgPort}/${db}`;
export const mysqlUrl = (db: string) => `mysql://${myUser}@${myHost}:${myPort}/${db}`;
export const CHINOOK_SQLITE = path.join(DATASETS, 'chinook/Chinook_Sqlite.sqlite');

/** The databases ../shared/datasets/load.sh creates. */
export const PG_DATASETS = ['chinook', 'pagila', 'northwind'] as const;
export const MYSQL_DATASETS = ['chinook', 'sakila', 'edgecases'] as const;
