// `secagent run --run-id / --resume`: what the user is told, and that a mistyped id with
// --resume does not start a new paid run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, textReply, type FakeServer } from '../helpers/fake-openai.js';
import { cleanEnv, runCli } from './helpers/cli.js';

const TASK = "import os\n\n\ndef remove(path):\n    '''\n    Remove the file at path.\n    '''\n";
const CODE = "import os\n\n\ndef remove(path):\n    os.remove(path)\n";

let dir: string;
let server: FakeServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secagent-run-resume-'));
  mkdirSync(join(dir, 'tasks'));
  writeFileSync(join(dir, 'tasks', 'remove_file.py'), TASK);
  server = await startFakeOpenAI((request) => textReply(request, `\`\`\`python\n${CODE}\`\`\``));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(extra: string[]) {
  const args = ['--store', join(dir, 'store.db'), 'run', '--tasks', join(dir, 'tasks'), '--model', 'openai:gpt-4o-mini', '-k', '0', '--scanners', 'builtin', '--out', join(dir, 'out'), ...extra];
  return runCli(args, { env: cleanEnv({ OPENAI_BASE_URL: server.baseURL }) });
}

describe('secagent run --run-id / --resume', () => {
  it('refuses --resume with a run id the store does not hold, before asking any model', async () => {
    const result = await run(['--run-id', 'no-such-run', '--resume']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^secagent: --resume: no run "no-such-run" in .*store\.db; check the id/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(server.requests).toHaveLength(0);
  }, 60_000);

  it('says "continuing" only when the run already existed, and reports cached calls apart from paid ones', async () => {
    const first = await run(['--run-id', 'named-run']);
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('run named-run: 1 tasks');
    expect(first.stderr).not.toContain('continuing');
    expect(first.stderr).toContain('1 LLM calls + 0 answered from the store');
    expect(server.requests).toHaveLength(1);

    const again = await run(['--run-id', 'named-run', '--resume']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('run named-run (continuing): 1 tasks');
    expect(server.requests).toHaveLength(1);
  }, 60_000);
});
