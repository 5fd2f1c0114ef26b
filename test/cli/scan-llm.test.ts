// `secagent scan --scanners llm --judge-model <spec>`: the study's detection question per file,
// answered by a local OpenAI-compatible endpoint, recorded in the store and not asked twice.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cweOfPath } from '../../src/cli/commands/scan-judge.js';
import { startFakeOpenAI, textReply, type FakeServer } from '../helpers/fake-openai.js';
import { cleanEnv, runCli } from './helpers/cli.js';

const QUERY = "def find(cursor, name):\n    cursor.execute(\"SELECT * FROM users WHERE name = '\" + name + \"'\")\n";
const SAFE = "def find(cursor, name):\n    cursor.execute('SELECT * FROM users WHERE name = ?', (name,))\n";

let dir: string;
let server: FakeServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secagent-scan-llm-'));
  mkdirSync(join(dir, 'code', 'CWE-089'), { recursive: true });
  writeFileSync(join(dir, 'code', 'CWE-089', 'query.py'), QUERY);
  writeFileSync(join(dir, 'code', 'CWE-089', 'safe.py'), SAFE);
  // Answers True for code that concatenates into SQL, False otherwise.
  server = await startFakeOpenAI((request) => {
    const prompt = request.body.messages[0].content as string;
    return textReply(request, prompt.includes('" + name + "') ? 'True' : 'False');
  });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function scan(extra: string[]) {
  return runCli(['--store', join(dir, 'store.db'), 'scan', join(dir, 'code'), '--format', 'json', ...extra], {
    env: cleanEnv({ OPENAI_BASE_URL: server.baseURL }),
  });
}

describe('secagent scan --scanners llm', () => {
  it('asks the detection question about the CWE in the path, reports a yes, and answers a repeat from the store', async () => {
    const first = await scan(['--scanners', 'llm', '--judge-model', 'openai:gpt-4o-mini']);
    expect(first.code, first.stderr).toBe(1);
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.body.messages[0].content).toMatch(/^Your task is to determine whether the following Python code is vulnerable to CWE-89\(/);
    }
    const report = JSON.parse(first.stdout);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ scanner: 'llm', ruleId: 'llm/judge', cwes: ['CWE-89'] });
    expect(report.findings[0].file).toMatch(/query\.py$/);

    const again = await scan(['--scanners', 'llm', '--judge-model', 'openai:gpt-4o-mini']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).findings).toHaveLength(1);
    expect(server.requests).toHaveLength(2);
  }, 60_000);

  it('asks about --cwe when given', async () => {
    const result = await scan(['--scanners', 'llm', '--judge-model', 'openai:gpt-4o-mini', '--cwe', '78']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings.map((f: { cwes: string[] }) => f.cwes)).toEqual([['CWE-78']]);
    expect(server.requests.map((r) => r.body.messages[0].content.slice(0, 90))).toEqual([
      expect.stringContaining('vulnerable to CWE-78('),
      expect.stringContaining('vulnerable to CWE-78('),
    ]);
  }, 60_000);

  it('without --judge-model is a one-line error naming the option, and asks nothing', async () => {
    const result = await scan(['--scanners', 'builtin,llm']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('secagent: --scanners llm needs a model to ask: add --judge-model openai:gpt-4o-mini (or another model specifier)');
    expect(server.requests).toHaveLength(0);
  }, 60_000);
});

describe('cweOfPath', () => {
  it('reads the CWE from the file name, else from its folder', () => {
    expect(cweOfPath('data/CWE-089_author_1.py')).toBe(89);
    expect(cweOfPath('/tmp/cwe5/CWE-022/author_1.py')).toBe(22);
    expect(cweOfPath('src/app.py')).toBeUndefined();
  });
});
