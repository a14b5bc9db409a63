import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SharedBooking, SharedBudget } from '../monday/index.js';
import { abortableSleep } from './sleep.js';

/** Schema that holds pg-boss's tables and ordersync's per-account budget rows. */
export const JOBS_SCHEMA = 'ordersync_jobs';

/**
 * One monday account, identified without keeping its token: a hash of the API endpoint and
 * the token. Environments whose tokens are equal share it, whatever their names.
 */
export function accountKey(apiUrl: string, token: string): string {
  return `acct_${createHash('sha256').update(`${apiUrl}\n${token}`).digest('hex').slice(0, 24)}`;
}

export async function ensureBudgetTables(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    // Workers start together on a fresh database: `create … if not exists` alone races.
    await client.query('begin');
    await client.query(`select pg_advisory_xact_lock(hashtext('${JOBS_SCHEMA}:ddl'))`);
    await client.query(`create schema if not exists ${JOBS_SCHEMA}`);
    await client.query(`create table if not exists ${JOBS_SCHEMA}.account_budget (
      account text primary key,
      budget bigint not null,
      updated_at timestamptz not null default now()
    )`);
    await client.query(`create table if not exists ${JOBS_SCHEMA}.account_spend (
      id bigserial primary key,
      account text not null,
      at timestamptz not null default clock_timestamp(),
      cost bigint not null
    )`);
    await client.query(`create index if not exists account_spend_account_at on ${JOBS_SCHEMA}.account_spend (account, at)`);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export interface AccountBudgetOptions {
  account: string;
  /** Complexity points the account may spend per window. */
  budget: number;
  windowMs: number;
}

/**
 * Every worker on one account books its requests in the same PostgreSQL rows before sending:
 * the spend of the last window (on the database's clock, one clock for all machines) never
 * passes the budget, so two boards of one account cannot make each other take 429s. The row
 * `account_budget` serialises bookings (row lock); `account_spend` is the sliding window.
 */
export class AccountBudget implements SharedBudget {
  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: AccountBudgetOptions,
  ) {}

  async reserve(cost: number, signal?: AbortSignal): Promise<SharedBooking> {
    const { windowMs } = this.opts;
    // A single request dearer than the whole budget could never go; let it go alone.
    const want = Math.min(cost, this.opts.budget);
    let waitedMs = 0;
    for (;;) {
      const outcome = await this.tryBook(want);
      if ('id' in outcome) {
        const id = outcome.id;
        return {
          waitedMs,
          settle: async (actual) => {
            await this.pool.query(`update ${JOBS_SCHEMA}.account_spend set cost = $2 where id = $1`, [id, Math.max(0, Math.round(actual))]).catch(() => undefined);
          },
        };
      }
      const wait = Math.max(20, Math.min(outcome.waitMs, windowMs));
      await abortableSleep(wait, signal);
      waitedMs += wait;
    }
  }

  private async tryBook(cost: number): Promise<{ id: string } | { waitMs: number }> {
    const { account, budget, windowMs } = this.opts;
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      // The lowest budget any environment of the account plans for wins.
      const row = await client.query<{ budget: string }>(
        `insert into ${JOBS_SCHEMA}.account_budget as b (account, budget) values ($1, $2)
         on conflict (account) do update set budget = least(b.budget, excluded.budget), updated_at = now()
         returning budget`,
        [account, budget],
      );
      const limit = Number(row.rows[0]!.budget);
      const window = `${windowMs} milliseconds`;
      await client.query(`delete from ${JOBS_SCHEMA}.account_spend where account = $1 and at < clock_timestamp() - $2::interval * 2`, [account, window]);
      const spends = await client.query<{ cost: string; expires_in_ms: string }>(
        `select cost, extract(epoch from (at + $2::interval - clock_timestamp())) * 1000 as expires_in_ms
         from ${JOBS_SCHEMA}.account_spend where account = $1 and at > clock_timestamp() - $2::interval order by at`,
        [account, window],
      );
      let inWindow = spends.rows.reduce((s, r) => s + Number(r.cost), 0);
      if (inWindow + cost <= Math.max(limit, cost)) {
        const ins = await client.query<{ id: string }>(`insert into ${JOBS_SCHEMA}.account_spend (account, cost) values ($1, $2) returning id`, [account, cost]);
        await client.query('commit');
        return { id: ins.rows[0]!.id };
      }
      await client.query('commit');
      // Room comes back as the oldest spends leave the window.
      let waitMs = windowMs;
      for (const r of spends.rows) {
        inWindow -= Number(r.cost);
        if (inWindow + cost <= limit) {
          waitMs = Math.ceil(Number(r.expires_in_ms));
          break;
        }
      }
      return { waitMs };
    } catch (err) {
      await client.query('rollback').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
