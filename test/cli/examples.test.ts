// The bundled examples the README's quick start scans: every vulnerable file has findings,
// every fixed version has none, with the built-in analyzer and (when installed) Bandit.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './helpers/cli.js';

function hasBandit(): boolean {
  try {
    execFileSync('bandit', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const SCANNERS = hasBandit() ? 'builtin,bandit' : 'builtin';

describe(`examples/ scanned with ${SCANNERS}`, () => {
  it('finds weaknesses in every vulnerable example and none in their fixed versions', async () => {
    const vulnerable = await runCli(['scan', 'examples/vulnerable', '--scanners', SCANNERS, '--format', 'json']);
    expect(vulnerable.code, vulnerable.stderr).toBe(1);
    const flagged = new Set(JSON.parse(vulnerable.stdout).findings.map((f: { file: string }) => f.file));
    expect([...flagged].sort()).toEqual(readdirSync(join(REPO, 'examples/vulnerable')).map((f) => `examples/vulnerable/${f}`).sort());

    const fixed = await runCli(['scan', 'examples/fixed', '--scanners', SCANNERS, '--format', 'json']);
    expect(JSON.parse(fixed.stdout).findings).toEqual([]);
    expect(fixed.code).toBe(0);
    expect(readdirSync(join(REPO, 'examples/fixed')).sort()).toEqual(readdirSync(join(REPO, 'examples/vulnerable')).sort());
  }, 60_000);
});
