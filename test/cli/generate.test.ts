import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NO_MODEL_MESSAGE } from '../../src/cli/agent/options.js';
import { startFakeOpenAI, textReply, type FakeServer } from '../helpers/fake-openai.js';
import { cleanEnv, runCli } from './helpers/cli.js';

const VULNERABLE = "import yaml\n\n\ndef load_config(path):\n    with open(path) as f:\n        return yaml.load(f)\n";
const FIXED = "import yaml\n\n\ndef load_config(path):\n    with open(path) as f:\n        return yaml.safe_load(f)\n";

let dir: string;
let server: FakeServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'secagent-generate-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const store = () => ['--store', join(dir, 'store.db')];
const env = () => cleanEnv({ OPENAI_BASE_URL: server!.baseURL });

/** Generates VULNERABLE, repairs to FIXED. */
async function yamlModel(): Promise<FakeServer> {
  return startFakeOpenAI((request) => {
    const prompt = request.body.messages[0].content as string;
    const isRepair = !prompt.startsWith('You are a programming assistant');
    return textReply(request, `Here you go:\n\n\`\`\`python\n${isRepair ? FIXED : VULNERABLE}\`\`\`\n\nHope it helps.`);
  });
}

describe('secagent generate', () => {
  it('with --max-iterations 0 prints exactly the code the endpoint wrote, and nothing else on stdout', async () => {
    server = await yamlModel();
    const result = await runCli([...store(), 'generate', 'Load a YAML config file', '--model', 'openai:gpt-4o-mini', '--max-iterations', '0', '--scanners', 'bandit'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(VULNERABLE);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.body.messages[0].content).toMatch(/\nLoad a YAML config file$/);
    expect(result.stderr).toMatch(/round 0: 1 finding, vulnerable/);
    expect(result.stderr).toMatch(/B506/);
  });

  it('repairs what the scanners find and prints the repaired code', async () => {
    server = await yamlModel();
    const result = await runCli([...store(), 'generate', 'Load a YAML config file', '--model', 'openai:gpt-4o-mini', '--scanners', 'bandit'], { env: env() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(FIXED);
    expect(server.requests).toHaveLength(2);
    const repairPrompt = server.requests[1]!.body.messages[0].content as string;
    expect(repairPrompt).toContain('yaml.load(f)');
    expect(repairPrompt).toContain('B506');
    expect(result.stderr).toMatch(/round 1: 0 findings, secure/);
  });

  it('prints a JSON report with --json, reading the task from --file', async () => {
    server = await yamlModel();
    const file = join(dir, 'CWE-502_load.py');
    writeFileSync(file, "import yaml\n\ndef load_config(path):\n    '''Load the YAML file at path'''\n");
    const result = await runCli(
      [...store(), 'generate', '--file', file, '--model', 'openai:gpt-4o-mini', '--repair-model', 'openai:gpt-4o', '--scanners', 'bandit', '--json'],
      { env: env() },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      task: 'CWE-502_load.py',
      status: 'secure',
      rounds: 1,
      vulnerableByRound: [true, false],
      code: FIXED,
      models: { generate: 'openai:gpt-4o-mini', repair: 'openai:gpt-4o' },
      scanners: ['bandit'],
    });
    expect(report.outputTokens).toBeGreaterThan(0);
    expect(server.requests.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o']);
    // The task's CWE comes from the file name; the precise prompt names it.
    expect(server.requests[1]!.body.messages[0].content).toContain('CWE-502(Deserialization of Untrusted Data)');
  });

  it('without a model says how to configure one and exits 2', async () => {
    const result = await runCli([...store(), 'generate', 'anything'], { env: cleanEnv() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`secagent: ${NO_MODEL_MESSAGE}\n`);
  });

  it('takes the model from SECAGENT_MODEL', async () => {
    server = await yamlModel();
    const result = await runCli([...store(), 'generate', 'x', '-k', '0', '--scanners', 'bandit'], { env: { ...env(), SECAGENT_MODEL: 'openai:from-env' } });
    expect(result.code).toBe(0);
    expect(server.requests[0]!.body.model).toBe('from-env');
  });

  it('names the missing key without printing any key', async () => {
    const secrets = { ANTHROPIC_API_KEY: 'sk-ant-very-secret-1234567890', NVIDIA_API_KEY: 'nvapi-very-secret-0987654321' };
    const result = await runCli([...store(), 'generate', 'x', '--model', 'openai:gpt-4o'], { env: cleanEnv(secrets) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^secagent: OPENAI_API_KEY is not set: export OPENAI_API_KEY=\.\.\./);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    for (const secret of Object.values(secrets)) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('never prints a key the server refused, even when the server echoes it', async () => {
    const key = 'sk-test-refused-key-abcdefghijklmnop';
    server = await startFakeOpenAI((request) => ({
      status: 401,
      body: { error: { message: `Incorrect API key provided: ${String(request.headers.authorization)}; key ${key}` } },
    }));
    const result = await runCli([...store(), 'generate', 'x', '--model', 'openai:gpt-4o', '--scanners', 'bandit'], {
      env: cleanEnv({ OPENAI_BASE_URL: server.baseURL, OPENAI_API_KEY: key }),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/refused the request \(401\): check OPENAI_API_KEY/);
    expect(result.stdout + result.stderr).not.toContain(key);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${key}`);
  });

  it('rejects a prompt together with --file, and bad option values', async () => {
    const both = await runCli([...store(), 'generate', 'x', '--file', 'y.py', '--model', 'openai:m'], { env: cleanEnv({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }) });
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('secagent: give a prompt or --file, not both\n');
    const bad = await runCli([...store(), 'generate', 'x', '--max-iterations', 'many'], { env: cleanEnv() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-iterations <k>.*expected an integer ≥ 0/);
  });
});
