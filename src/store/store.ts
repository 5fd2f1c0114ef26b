import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { UserError, type Finding, type FlowStep, type Level } from '../core/types.js';
import type { ScanResult } from '../scanners/types.js';
import { codeHash } from './hash.js';
import { defaultStorePath, openDatabase } from './open.js';
import { redactSecrets, redactText } from './redact.js';
import type {
  AnsweredCall,
  CachedScan,
  CallRecord,
  CallTotals,
  NewRun,
  RunConfig,
  RunStatus,
  RunTotals,
  SampleInput,
  ScanCacheKey,
  StoredCall,
  StoredFinding,
  StoredRun,
  StoredSample,
  StoredTask,
  StoredTaskStatus,
  StoredVerdict,
  TaskInput,
  TaskUpdate,
  VerdictInput,
} from './records.js';
import { migrate } from './schema.js';

type Row = Record<string, unknown>;

/**
 * Opens the store at `file` (default `.secagent/secagent.db` under the working folder;
 * `:memory:` for a throwaway one), migrating its schema forward if it is older.
 */
export function openStore(file: string = defaultStorePath()): Store {
  const db = openDatabase(file);
  try {
    const version = migrate(db, file);
    return new Store(db, file, version);
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The run store. Every method is synchronous and commits before it returns, so what a
 * method wrote survives a crash right after. One connection serves all async callers of a
 * process; other processes on the same file wait on its locks (WAL, busy timeout).
 */
export class Store {
  private readonly statements = new Map<string, Database.Statement>();

  /** @internal use openStore() */
  constructor(
    /** The underlying connection, for read-only reporting queries. */
    readonly raw: Database.Database,
    readonly path: string,
    readonly schemaVersion: number,
  ) {}

  close(): void {
    if (this.raw.open) this.raw.close();
  }

  /**
   * Runs `fn` in one transaction (nested calls become savepoints). `fn` must be synchronous:
   * a transaction cannot stay open across an await.
   *
   * The transaction is IMMEDIATE: it takes the write lock up front, waiting (busy timeout)
   * while another process holds it. A deferred one that reads first and writes later fails
   * at once with "database is locked" when another process wrote in between.
   */
  transaction<T>(fn: () => T): T {
    return this.raw
      .transaction(() => {
        const result = fn();
        if (result && typeof (result as { then?: unknown }).then === 'function') {
          throw new TypeError('Store.transaction: the function must be synchronous (it returned a promise)');
        }
        return result;
      })
      .immediate();
  }

  private stmt(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.raw.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  // ── runs ────────────────────────────────────────────────────────────────

  /**
   * Returns the run with `run.id`, creating it when there is none (so a resumed run picks up
   * where it was). An existing run of another kind is a UserError.
   */
  openRun(run: NewRun): { run: StoredRun; created: boolean } {
    return this.transaction(() => {
      const id = run.id ?? generateRunId();
      const existing = this.getRun(id);
      if (existing) {
        if (existing.kind !== run.kind) {
          throw new UserError(`run "${id}" already exists as a ${existing.kind} run, not ${run.kind}; choose another run id`);
        }
        return { run: existing, created: false };
      }
      this.stmt('INSERT INTO runs (id, kind, status, config, created_at) VALUES (?, ?, ?, ?, ?)').run(
        id,
        run.kind,
        'running',
        JSON.stringify(redactSecrets(run.config ?? {})),
        now(),
      );
      return { run: this.getRun(id)!, created: true };
    });
  }

  getRun(id: string): StoredRun | undefined {
    const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
    return row && toRun(row);
  }

  /** Newest first. */
  listRuns(filter: { kind?: string; status?: RunStatus; limit?: number } = {}): StoredRun[] {
    const rows = this.stmt(
      `SELECT * FROM runs WHERE (@kind IS NULL OR kind = @kind) AND (@status IS NULL OR status = @status)
       ORDER BY created_at DESC, rowid DESC LIMIT @limit`,
    ).all({ kind: filter.kind ?? null, status: filter.status ?? null, limit: filter.limit ?? -1 }) as Row[];
    return rows.map(toRun);
  }

  /** `running` clears finished_at (a resumed run); any other status stamps it. */
  setRunStatus(id: string, status: RunStatus, error?: string): void {
    const finishedAt = status === 'running' ? null : now();
    const changes = this.stmt('UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?').run(
      status,
      finishedAt,
      error === undefined ? null : redactText(error),
      id,
    ).changes;
    if (!changes) throw new UserError(`no run with id "${id}" in the store`);
  }

  setRunConfig(id: string, config: RunConfig): void {
    const changes = this.stmt('UPDATE runs SET config = ? WHERE id = ?').run(JSON.stringify(redactSecrets(config)), id).changes;
    if (!changes) throw new UserError(`no run with id "${id}" in the store`);
  }

  // ── tasks ───────────────────────────────────────────────────────────────

  /** Adds the task to the run, or updates its prompt and CWE; keeps its status and progress. */
  upsertTask(task: TaskInput): StoredTask {
    this.stmt(
      `INSERT INTO tasks (run_id, task_id, prompt, cwe, updated_at) VALUES (@runId, @taskId, @prompt, @cwe, @now)
       ON CONFLICT (run_id, task_id) DO UPDATE SET prompt = excluded.prompt, cwe = excluded.cwe`,
    ).run({ runId: task.runId, taskId: task.taskId, prompt: task.prompt, cwe: task.cwe ?? null, now: now() });
    return this.getTask(task.runId, task.taskId)!;
  }

  updateTask(runId: string, taskId: string, update: TaskUpdate): StoredTask {
    const changes = this.stmt(
      `UPDATE tasks SET
         status = coalesce(@status, status),
         reason = CASE WHEN @setReason THEN @reason ELSE reason END,
         rounds = coalesce(@rounds, rounds),
         final_sample_id = CASE WHEN @setFinal THEN @finalSampleId ELSE final_sample_id END,
         updated_at = @now
       WHERE run_id = @runId AND task_id = @taskId`,
    ).run({
      runId,
      taskId,
      status: update.status ?? null,
      setReason: update.reason !== undefined ? 1 : 0,
      reason: update.reason ?? null,
      rounds: update.rounds ?? null,
      setFinal: update.finalSampleId !== undefined ? 1 : 0,
      finalSampleId: update.finalSampleId ?? null,
      now: now(),
    }).changes;
    if (!changes) throw new UserError(`no task "${taskId}" in run "${runId}"`);
    return this.getTask(runId, taskId)!;
  }

  getTask(runId: string, taskId: string): StoredTask | undefined {
    const row = this.stmt('SELECT * FROM tasks WHERE run_id = ? AND task_id = ?').get(runId, taskId) as Row | undefined;
    return row && toTask(row);
  }

  /** In task id order. */
  listTasks(runId: string, filter: { status?: StoredTaskStatus } = {}): StoredTask[] {
    const rows = this.stmt(
      'SELECT * FROM tasks WHERE run_id = @runId AND (@status IS NULL OR status = @status) ORDER BY task_id',
    ).all({ runId, status: filter.status ?? null }) as Row[];
    return rows.map(toTask);
  }

  taskCounts(runId: string): Record<StoredTaskStatus, number> {
    const counts: Record<StoredTaskStatus, number> = { pending: 0, secure: 0, vulnerable: 0, failed: 0 };
    const rows = this.stmt('SELECT status, count(*) AS n FROM tasks WHERE run_id = ? GROUP BY status').all(runId) as Row[];
    for (const row of rows) counts[row.status as StoredTaskStatus] = row.n as number;
    return counts;
  }

  // ── samples ─────────────────────────────────────────────────────────────

  /** Stores a version of a task's code and returns its id. */
  insertSample(sample: SampleInput): number {
    const result = this.stmt(
      `INSERT INTO samples (run_id, task_id, round, model, code, code_hash, parent_sample_id, llm_call_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      sample.runId,
      sample.taskId,
      sample.round,
      sample.model,
      sample.code,
      codeHash(sample.code),
      sample.parentId ?? null,
      sample.llmCallId ?? null,
      now(),
    );
    return Number(result.lastInsertRowid);
  }

  getSample(id: number): StoredSample | undefined {
    const row = this.stmt('SELECT * FROM samples WHERE id = ?').get(id) as Row | undefined;
    return row && toSample(row);
  }

  /** The task's sample of the highest round (the last stored, on a tie). */
  latestSample(runId: string, taskId: string): StoredSample | undefined {
    const row = this.stmt(
      'SELECT * FROM samples WHERE run_id = ? AND task_id = ? ORDER BY round DESC, id DESC LIMIT 1',
    ).get(runId, taskId) as Row | undefined;
    return row && toSample(row);
  }

  /** All samples of a task, by round. */
  listSamples(runId: string, taskId: string): StoredSample[] {
    const rows = this.stmt('SELECT * FROM samples WHERE run_id = ? AND task_id = ? ORDER BY round, id').all(runId, taskId) as Row[];
    return rows.map(toSample);
  }

  /** The chain of samples from the first generation down to `sampleId`, following parents. */
  lineage(sampleId: number): StoredSample[] {
    const rows = this.stmt(
      `WITH RECURSIVE chain (id, depth) AS (
         SELECT ?, 0
         UNION ALL
         SELECT s.parent_sample_id, chain.depth + 1 FROM samples s JOIN chain ON s.id = chain.id
         WHERE s.parent_sample_id IS NOT NULL AND chain.depth < 10000
       )
       SELECT s.* FROM chain JOIN samples s ON s.id = chain.id ORDER BY chain.depth DESC`,
    ).all(sampleId) as Row[];
    return rows.map(toSample);
  }

  // ── findings ────────────────────────────────────────────────────────────

  /** Stores a sample's findings in one transaction; returns their ids in order. */
  insertFindings(sampleId: number, findings: readonly Finding[]): number[] {
    const insert = this.stmt(
      `INSERT INTO findings (sample_id, scanner, rule_id, cwes, severity, confidence, message, fix_hint, file,
         line, column, end_line, end_column, snippet, flow)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return this.transaction(() =>
      findings.map((f) =>
        Number(
          insert.run(
            sampleId,
            f.scanner,
            f.ruleId,
            JSON.stringify(f.cwes),
            f.severity,
            f.confidence,
            f.message,
            f.fixHint ?? null,
            f.file,
            f.line,
            f.column,
            f.endLine,
            f.endColumn,
            f.snippet ?? null,
            f.flow ? JSON.stringify(f.flow) : null,
          ).lastInsertRowid,
        ),
      ),
    );
  }

  /** A sample's findings in stored order, optionally of one scanner. */
  getFindings(sampleId: number, filter: { scanner?: string } = {}): StoredFinding[] {
    const rows = this.stmt(
      'SELECT * FROM findings WHERE sample_id = @sampleId AND (@scanner IS NULL OR scanner = @scanner) ORDER BY id',
    ).all({ sampleId, scanner: filter.scanner ?? null }) as Row[];
    return rows.map(toFinding);
  }

  /** Removes a sample's findings (of one scanner, or all); returns how many. For re-scoring. */
  deleteFindings(sampleId: number, filter: { scanner?: string } = {}): number {
    return this.stmt('DELETE FROM findings WHERE sample_id = @sampleId AND (@scanner IS NULL OR scanner = @scanner)').run({
      sampleId,
      scanner: filter.scanner ?? null,
    }).changes;
  }

  // ── scan cache ──────────────────────────────────────────────────────────

  getCachedScan(key: ScanCacheKey): CachedScan | undefined {
    const row = this.stmt('SELECT * FROM scans WHERE scanner = ? AND scanner_key = ? AND code_hash = ?').get(
      key.scanner,
      key.version,
      key.codeHash,
    ) as Row | undefined;
    if (!row) return undefined;
    return {
      findings: JSON.parse(row.findings as string) as Finding[],
      diagnostics: JSON.parse(row.diagnostics as string),
      suppressed: row.suppressed as number,
      createdAt: row.created_at as string,
    };
  }

  /** Stores (or replaces) what `key.scanner` at `key.version` found in the code of `key.codeHash`. */
  putCachedScan(key: ScanCacheKey, result: ScanResult): void {
    this.stmt(
      `INSERT OR REPLACE INTO scans (scanner, scanner_key, code_hash, findings, diagnostics, suppressed, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      key.scanner,
      key.version,
      key.codeHash,
      JSON.stringify(result.findings),
      JSON.stringify(result.diagnostics),
      result.suppressed,
      now(),
    );
  }

  // ── verdicts ────────────────────────────────────────────────────────────

  /** Records a judge's verdict on a sample, replacing its earlier one for the same CWE. */
  putVerdict(verdict: VerdictInput): number {
    this.stmt(
      `INSERT INTO verdicts (sample_id, judge, cwe, vulnerable, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (sample_id, judge, ifnull(cwe, 0)) DO UPDATE SET
         vulnerable = excluded.vulnerable, detail = excluded.detail, created_at = excluded.created_at`,
    ).run(
      verdict.sampleId,
      verdict.judge,
      verdict.cwe ?? null,
      verdict.vulnerable ? 1 : 0,
      verdict.detail === undefined ? null : JSON.stringify(verdict.detail),
      now(),
    );
    const row = this.stmt('SELECT id FROM verdicts WHERE sample_id = ? AND judge = ? AND ifnull(cwe, 0) = ?').get(
      verdict.sampleId,
      verdict.judge,
      verdict.cwe ?? 0,
    ) as Row;
    return row.id as number;
  }

  getVerdicts(sampleId: number): StoredVerdict[] {
    const rows = this.stmt('SELECT * FROM verdicts WHERE sample_id = ? ORDER BY judge, cwe').all(sampleId) as Row[];
    return rows.map(toVerdict);
  }

  /** Every verdict on the run's samples, optionally of one judge, by sample. */
  listVerdicts(runId: string, filter: { judge?: string } = {}): StoredVerdict[] {
    const rows = this.stmt(
      `SELECT v.* FROM verdicts v JOIN samples s ON s.id = v.sample_id
       WHERE s.run_id = @runId AND (@judge IS NULL OR v.judge = @judge) ORDER BY v.sample_id, v.judge, v.cwe`,
    ).all({ runId, judge: filter.judge ?? null }) as Row[];
    return rows.map(toVerdict);
  }

  // ── LLM calls ───────────────────────────────────────────────────────────

  /** The earliest successful paid call for this request hash, whose answer can be reused. */
  findCachedCall(requestHash: string): AnsweredCall | undefined {
    const row = this.stmt(
      `SELECT * FROM llm_calls WHERE request_hash = ? AND error IS NULL AND cached_from IS NULL
       ORDER BY id LIMIT 1`,
    ).get(requestHash) as Row | undefined;
    return row && (toCall(row) as AnsweredCall);
  }

  /** Writes a call (success, failure or cache hit) and returns its id; errors are redacted. */
  recordCall(call: CallRecord): number {
    if ((call.response === undefined) === (call.error === undefined)) {
      throw new TypeError('recordCall: give exactly one of response and error');
    }
    const result = this.stmt(
      `INSERT INTO llm_calls (run_id, task_id, round, purpose, request_hash, provider, model, response_model, request,
         response, input_tokens, output_tokens, latency_ms, cost_usd, cached_from, error, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      call.runId ?? null,
      call.taskId ?? null,
      call.round ?? null,
      call.purpose ?? null,
      call.requestHash,
      call.provider,
      call.model,
      call.responseModel ?? null,
      JSON.stringify(call.request),
      call.response ?? null,
      call.inputTokens ?? 0,
      call.outputTokens ?? 0,
      call.latencyMs ?? 0,
      call.costUsd ?? null,
      call.cachedFrom ?? null,
      call.error === undefined ? null : redactText(call.error),
      now(),
    );
    return Number(result.lastInsertRowid);
  }

  getCall(id: number): StoredCall | undefined {
    const row = this.stmt('SELECT * FROM llm_calls WHERE id = ?').get(id) as Row | undefined;
    return row && toCall(row);
  }

  /** A run's calls in the order they were made, optionally of one task. */
  listCalls(runId: string, filter: { taskId?: string } = {}): StoredCall[] {
    const rows = this.stmt(
      'SELECT * FROM llm_calls WHERE run_id = @runId AND (@taskId IS NULL OR task_id = @taskId) ORDER BY id',
    ).all({ runId, taskId: filter.taskId ?? null }) as Row[];
    return rows.map(toCall);
  }

  /** Calls, tokens, cost and latency of a run, overall and per model. */
  runTotals(runId: string): RunTotals {
    const rows = this.stmt(
      `SELECT model,
         sum(error IS NULL AND cached_from IS NULL) AS calls,
         sum(cached_from IS NOT NULL) AS cached_calls,
         sum(error IS NOT NULL) AS failed_calls,
         sum(CASE WHEN cached_from IS NULL THEN input_tokens ELSE 0 END) AS input_tokens,
         sum(CASE WHEN cached_from IS NULL THEN output_tokens ELSE 0 END) AS output_tokens,
         sum(CASE WHEN cached_from IS NOT NULL THEN input_tokens ELSE 0 END) AS cached_input_tokens,
         sum(CASE WHEN cached_from IS NOT NULL THEN output_tokens ELSE 0 END) AS cached_output_tokens,
         sum(CASE WHEN cached_from IS NULL THEN coalesce(cost_usd, 0) ELSE 0 END) AS cost_usd,
         sum(error IS NULL AND cached_from IS NULL AND cost_usd IS NULL) AS unpriced_calls,
         sum(latency_ms) AS latency_ms
       FROM llm_calls WHERE run_id = ? GROUP BY model ORDER BY model`,
    ).all(runId) as Row[];
    const totals: RunTotals = { ...emptyTotals(), byModel: {} };
    for (const row of rows) {
      const perModel = toTotals(row);
      totals.byModel[row.model as string] = perModel;
      for (const key of Object.keys(perModel) as (keyof CallTotals)[]) totals[key] += perModel[key];
    }
    return totals;
  }
}

function now(): string {
  return new Date().toISOString();
}

/** `20261125-143012-a1b2c3`: sortable by time, unique enough for one user's runs. */
export function generateRunId(date: Date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function emptyTotals(): CallTotals {
  return {
    calls: 0,
    cachedCalls: 0,
    failedCalls: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    cachedOutputTokens: 0,
    costUsd: 0,
    unpricedCalls: 0,
    latencyMs: 0,
  };
}

function toTotals(row: Row): CallTotals {
  return {
    calls: Number(row.calls ?? 0),
    cachedCalls: Number(row.cached_calls ?? 0),
    failedCalls: Number(row.failed_calls ?? 0),
    inputTokens: Number(row.input_tokens ?? 0),
    outputTokens: Number(row.output_tokens ?? 0),
    cachedInputTokens: Number(row.cached_input_tokens ?? 0),
    cachedOutputTokens: Number(row.cached_output_tokens ?? 0),
    costUsd: Number(row.cost_usd ?? 0),
    unpricedCalls: Number(row.unpriced_calls ?? 0),
    latencyMs: Number(row.latency_ms ?? 0),
  };
}

// ── row mappers: snake_case columns and NULLs → camelCase fields, absent when NULL ──

function opt<T>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (value as T);
}

function optJson(value: unknown): unknown {
  return value === null || value === undefined ? undefined : JSON.parse(value as string);
}

function toRun(row: Row): StoredRun {
  return {
    id: row.id as string,
    kind: row.kind as string,
    status: row.status as RunStatus,
    config: JSON.parse(row.config as string) as RunConfig,
    error: opt(row.error),
    createdAt: row.created_at as string,
    finishedAt: opt(row.finished_at),
  };
}

function toTask(row: Row): StoredTask {
  return {
    runId: row.run_id as string,
    taskId: row.task_id as string,
    prompt: row.prompt as string,
    cwe: opt(row.cwe),
    status: row.status as StoredTaskStatus,
    reason: opt(row.reason),
    rounds: row.rounds as number,
    finalSampleId: opt(row.final_sample_id),
    updatedAt: row.updated_at as string,
  };
}

function toSample(row: Row): StoredSample {
  return {
    id: row.id as number,
    runId: row.run_id as string,
    taskId: row.task_id as string,
    round: row.round as number,
    model: row.model as string,
    code: row.code as string,
    codeHash: row.code_hash as string,
    parentId: opt(row.parent_sample_id),
    llmCallId: opt(row.llm_call_id),
    createdAt: row.created_at as string,
  };
}

function toFinding(row: Row): StoredFinding {
  return {
    id: row.id as number,
    sampleId: row.sample_id as number,
    scanner: row.scanner as string,
    ruleId: row.rule_id as string,
    cwes: JSON.parse(row.cwes as string) as number[],
    severity: row.severity as Level,
    confidence: row.confidence as Level,
    message: row.message as string,
    fixHint: opt(row.fix_hint),
    file: row.file as string,
    line: row.line as number,
    column: row.column as number,
    endLine: row.end_line as number,
    endColumn: row.end_column as number,
    snippet: opt(row.snippet),
    flow: optJson(row.flow) as FlowStep[] | undefined,
  };
}

function toVerdict(row: Row): StoredVerdict {
  return {
    id: row.id as number,
    sampleId: row.sample_id as number,
    judge: row.judge as string,
    cwe: opt(row.cwe),
    vulnerable: row.vulnerable === 1,
    detail: optJson(row.detail),
    createdAt: row.created_at as string,
  };
}

function toCall(row: Row): StoredCall {
  return {
    id: row.id as number,
    runId: opt(row.run_id),
    taskId: opt(row.task_id),
    round: opt(row.round),
    purpose: opt(row.purpose),
    requestHash: row.request_hash as string,
    provider: row.provider as string,
    model: row.model as string,
    responseModel: opt(row.response_model),
    request: JSON.parse(row.request as string),
    response: opt(row.response),
    inputTokens: row.input_tokens as number,
    outputTokens: row.output_tokens as number,
    latencyMs: row.latency_ms as number,
    costUsd: opt(row.cost_usd),
    cachedFrom: opt(row.cached_from),
    error: opt(row.error),
    createdAt: row.created_at as string,
  };
}
