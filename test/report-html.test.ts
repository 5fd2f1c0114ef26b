// Opens the study's HTML report in headless Chromium: no console or page errors, charts with
// marks, a drill-down that opens, no request leaving the page; saves a screenshot.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStudyReport } from '../src/study/experiments/index.js';
import { studyArtifactsDir } from '../src/tasks/datasets.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the HTML report browser test: ${CHROMIUM} is absent (apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('study HTML report in headless Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'secagent-report-'));
  const htmlPath = join(dir, 'study.html');

  beforeAll(async () => {
    await buildStudyReport({ artifacts: studyArtifactsDir(), html: htmlPath });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('renders without errors, with charts, and a drill-down opens', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });

    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });

    expect(await page.locator('section#tables table').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('section#tables').innerText()).toContain('92/121');

    const charts = page.locator('figure.chart > svg');
    expect(await charts.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      const marks = await charts.nth(i).locator('path, line, rect').count();
      expect(marks).toBeGreaterThan(5);
      const box = await charts.nth(i).boundingBox();
      expect(box && box.width > 100 && box.height > 100).toBe(true);
    }
    // Figure 6 has one line mark per setup mean plus one per run.
    const lines = await charts.nth(0).locator('g.mark-line path').count();
    expect(lines).toBeGreaterThanOrEqual(5 + 25);

    const task = page.locator('details.task').filter({ hasText: 'CWE-020/codeql_3.py' }).first();
    expect(await task.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    await task.locator('summary').first().click();
    expect(await task.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    const firstRound = task.locator('section.round').first();
    await expect(firstRound.isVisible()).resolves.toBe(true);
    const codeBlock = task.locator('details.code').first();
    await codeBlock.locator('summary').click();
    expect(await codeBlock.locator('pre').innerText()).toContain('def ');
    const diff = task.locator('details.diff').first();
    await diff.locator('summary').click();
    expect(await diff.locator('pre.diff span.add, pre.diff span.del').count()).toBeGreaterThan(0);

    const screenshot = process.env.SECAGENT_SCREENSHOT ?? join(dir, 'study-report.png');
    await page.screenshot({ path: screenshot, fullPage: false });
    expect(existsSync(screenshot)).toBe(true);

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  }, 120_000);
});
