// `secagent fix --write` run twice: the first original stays in `.orig`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenAI, textReply, type FakeServer } from '../helpers/fake-openai.js';
import { cleanEnv, runCli } from './helpers/cli.js';

// Two weaknesses; each repair fixes one of them, so the file needs two --write runs with k=1.
const ORIGINAL = "import os\nimport pickle\n\n\ndef run(cmd, blob):\n    os.system('ls ' + cmd)\n    return pickle.loads(blob)\n";
const ONCE = "import json\nimport os\n\n\ndef run(cmd, blob):\n    os.system('ls ' + cmd)\n    return json.loads(blob)\n";
const TWICE = "import json\nimport subprocess\n\n\ndef run(cmd, blob):\n    subprocess.run(['ls', '--', cmd], check=False)\n    return json.loads(blob)\n";

let dir: string;
let server: FakeServer;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'secagent-fix-orig-'));
  server = await startFakeOpenAI((request) => {
    const prompt = request.body.messages[0].content as string;
    return textReply(request, `\`\`\`python\n${prompt.includes('pickle.loads') ? ONCE : TWICE}\`\`\``);
  });
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('secagent fix --write twice', () => {
  it('keeps the first original in .orig instead of the half-repaired code', async () => {
    const file = join(dir, 'tool.py');
    writeFileSync(file, ORIGINAL);
    const args = ['--store', join(dir, 'store.db'), 'fix', '--write', '--model', 'openai:gpt-4o', '--scanners', 'builtin', '-k', '1', file];
    const env = cleanEnv({ OPENAI_BASE_URL: server.baseURL });

    const first = await runCli(args, { env });
    expect(readFileSync(file, 'utf8'), first.stderr).toBe(ONCE);
    expect(readFileSync(`${file}.orig`, 'utf8')).toBe(ORIGINAL);
    expect(first.code).toBe(1);

    const second = await runCli(args, { env });
    expect(readFileSync(file, 'utf8'), second.stderr).toBe(TWICE);
    expect(readFileSync(`${file}.orig`, 'utf8')).toBe(ORIGINAL);
    expect(second.stderr).toContain(`${file}.orig (from an earlier --write) left as it was`);
  }, 60_000);
});
