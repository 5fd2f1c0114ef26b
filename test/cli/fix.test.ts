import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, textReply, type FakeServer } from '../helpers/fake-openai.js';
import { cleanEnv, runCli } from './helpers/cli.js';

const VULNERABLE = "import yaml\n\n\ndef load_config(path):\n    with open(path) as f:\n        return yaml.load(f)\n";
const FIXED = "import yaml\n\n\ndef load_config(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n";
const CLEAN = 'def add(a, b):\n    return a + b\n';

let dir: string;
let server: FakeServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'secagent-fix-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const base = () => ['--store', join(dir, 'store.db'), 'fix', '--model', 'openai:gpt-4o', '--scanners', 'bandit'];
const env = () => cleanEnv({ OPENAI_BASE_URL: server!.baseURL });

/** Repairs yaml.load to yaml.safe_load when `fixes`, else answers the code unchanged. */
async function repairer(fixes: boolean): Promise<FakeServer> {
  return startFakeOpenAI((request) => {
    const code = /```python\n([\s\S]*?)```/.exec(request.body.messages[0].content as string)?.[1] ?? '';
    return textReply(request, `\`\`\`python\n${fixes ? code.replace('yaml.load(f)', 'yaml.safe_load(f)') : code}\`\`\``);
  });
}

describe('secagent fix', () => {
  it('prints a unified diff of the repair, leaves the file alone, and exits 0 when all ends secure', async () => {
    server = await repairer(true);
    const file = join(dir, 'config.py');
    const clean = join(dir, 'clean.py');
    writeFileSync(file, VULNERABLE);
    writeFileSync(clean, CLEAN);
    const result = await runCli([...base(), file, clean], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`--- ${file}\toriginal`);
    expect(result.stdout).toContain(`+++ ${file}\trepaired (secure)`);
    expect(result.stdout).toContain('-        return yaml.load(f)\n+        return yaml.safe_load(f)\n');
    expect(result.stdout).not.toContain('clean.py');
    expect(readFileSync(file, 'utf8')).toBe(VULNERABLE);
    // Only the vulnerable file was sent for repair; nothing is generated.
    expect(server.requests).toHaveLength(1);
  });

  it('with --write replaces the file and keeps the original as .orig', async () => {
    server = await repairer(true);
    const file = join(dir, 'config.py');
    writeFileSync(file, VULNERABLE);
    const result = await runCli([...base(), '--write', file], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(readFileSync(file, 'utf8')).toBe(FIXED);
    expect(readFileSync(`${file}.orig`, 'utf8')).toBe(VULNERABLE);
    expect(result.stderr).toContain(`${file}: repaired (secure); original kept as ${file}.orig`);
  });

  it('exits 1 when a file stays vulnerable, and writes nothing for it', async () => {
    server = await repairer(false);
    const file = join(dir, 'config.py');
    writeFileSync(file, VULNERABLE);
    const result = await runCli([...base(), '--write', '--max-iterations', '2', file], { env: env() });
    expect(result.code).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).toBe(VULNERABLE);
    expect(existsSync(`${file}.orig`)).toBe(false);
    expect(result.stderr).toMatch(/config\.py: unchanged, vulnerable \(1 finding left after 2 rounds\)/);
  });

  it('names a missing file in one line and exits 2', async () => {
    const missing = join(dir, 'nope.py');
    const result = await runCli(['--store', join(dir, 'store.db'), 'fix', '--model', 'openai:m', missing], {
      env: cleanEnv({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`secagent: ${missing}: no such file\n`);
  });
});
