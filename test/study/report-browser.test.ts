// An experiment's HTML report (rq4 replaying the study) in headless Chromium: no errors, the
// Figure 6 chart drawn with a line per run, a task's rounds and diff in the drill-down, no
// request leaving the page.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createChatModel } from '../../src/llm/create.js';
import { RQ4_ROUNDS, listRq4Runs, readRq4Run } from '../../src/study/artifacts.js';
import { buildStudyReport, runRq4 } from '../../src/study/experiments/index.js';
import { openStore } from '../../src/store/index.js';
import { loadRecordedTasks, recordedModel } from '../agent/helpers/recorded-study.js';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { ROOT, SIX_TASKS, StudyLogScanner } from './helpers/study-replay.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('an experiment report in headless Chromium', () => {
  it('shows the rq4 tables, Figure 6 and a drill-down with diffs', async () => {
    const recorded = loadRecordedTasks().filter((t) => SIX_TASKS.includes(t.id));
    const logs = readRq4Run(listRq4Runs(ROOT).find((r) => r.name === '4_for_3.5_1')!);
    const blocks = RQ4_ROUNDS.map((round) => new Map(logs.scans[round].blocks.map((b) => [b.taskId, b.findings])));
    const server = await startFakeOpenAI(recordedModel(recorded).handler);
    const dir = mkdtempSync(join(tmpdir(), 'secagent-rq4-html-'));
    const store = openStore(join(dir, 'store.db'));
    const html = join(dir, 'rq4.html');
    try {
      const env = { OPENAI_BASE_URL: server.baseURL };
      await runRq4({
        store,
        runId: 'rq4-html',
        tasks: recorded.map((t) => ({ id: t.id, prompt: t.prompt, cwe: Number(/CWE-(\d+)/.exec(t.id)![1]) })),
        generators: [createChatModel('openai:gpt-3.5-turbo', { env })],
        repairers: [createChatModel('openai:gpt-4', { env })],
        scanners: [new StudyLogScanner(new Map(recorded.map((t) => [t.id, t.versions])), blocks)],
        runs: 3,
      });
      await buildStudyReport({ store, runId: 'rq4-html', html });
    } finally {
      store.close();
      await server.close();
    }

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('request', (r) => !r.url().startsWith('file:') && requests.push(r.url()));
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });

      expect(await page.locator('section#tables').innerText()).toContain('Table 5. Iterative repair, 5 rounds, 3 runs (RQ4)');
      const chart = page.locator('figure.chart > svg').first();
      const box = await chart.boundingBox();
      expect(box && box.width > 100 && box.height > 100).toBe(true);
      // One mean line and one line per run.
      expect(await chart.locator('g.mark-line path').count()).toBeGreaterThanOrEqual(1 + 3);

      const task = page.locator('details.task').filter({ hasText: 'CWE-918/codeql_1.py' }).first();
      await task.locator('summary').first().click();
      expect(await task.locator('section.round').count()).toBeGreaterThanOrEqual(3);
      const diff = task.locator('details.diff').first();
      await diff.locator('summary').click();
      expect(await diff.locator('pre.diff span.add, pre.diff span.del').count()).toBeGreaterThan(0);
      await page.screenshot({ path: process.env.SECAGENT_RQ4_SCREENSHOT ?? join(dir, 'rq4-report.png') });

      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
