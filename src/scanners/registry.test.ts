import { describe, expect, it } from 'vitest';
import { UserError } from '../core/types.js';
import { BanditScanner } from './bandit.js';
import { CodeqlScanner } from './codeql.js';
import { LlmJudgeScanner } from './llm-judge.js';
import { createScanners, loadBuiltinScanner, parseScannerList, type BuiltinScannerClass } from './registry.js';
import type { ScanResult, Scanner } from './types.js';

class FakeBuiltin implements Scanner {
  readonly name = 'builtin';
  constructor(readonly options?: unknown) {}
  async unavailableReason() {
    return null;
  }
  async scan(): Promise<ScanResult> {
    return { findings: [], diagnostics: [], suppressed: 0 };
  }
}
const loadBuiltin = async (): Promise<BuiltinScannerClass> => FakeBuiltin;
const missing = { executable: '/nonexistent/tool' };

describe('parseScannerList', () => {
  it('splits, trims, lowercases and de-duplicates', () => {
    expect(parseScannerList(' builtin, Bandit ,bandit,,codeql ')).toEqual(['builtin', 'bandit', 'codeql']);
    expect(parseScannerList('auto')).toBe('auto');
  });
  it('rejects unknown names and empty lists with a UserError', () => {
    expect(() => parseScannerList('bandit,pylint')).toThrow(UserError);
    expect(() => parseScannerList('bandit,pylint')).toThrow('unknown scanner "pylint"; known scanners: builtin, bandit, codeql, semgrep, llm (or auto)');
    expect(() => parseScannerList(' , ')).toThrow(/empty/);
  });
});

describe('createScanners by name', () => {
  it('creates the named scanners in order, passing builtin its options', async () => {
    const { scanners, skipped } = await createScanners(['bandit', 'builtin'], { loadBuiltin, builtin: { rules: 'all' } });
    expect(scanners.map((s) => s.name)).toEqual(['bandit', 'builtin']);
    expect(scanners[0]).toBeInstanceOf(BanditScanner);
    expect((scanners[1] as FakeBuiltin).options).toEqual({ rules: 'all' });
    expect(skipped).toEqual([]);
  });

  it('refuses a named scanner that is unavailable, with its reason', async () => {
    const attempt = createScanners(['codeql'], { codeql: missing });
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(createScanners(['codeql'], { codeql: missing })).rejects.toThrow(
      'scanner codeql is not available: codeql not found or not executable at /nonexistent/tool',
    );
  });

  it('needs judge options for llm', async () => {
    await expect(createScanners(['llm'])).rejects.toThrow(/llm needs a judge model/);
    const llm = {
      model: { id: 'fake:m', provider: 'fake', model: 'm', chat: async () => ({ text: 'False', usage: { inputTokens: 0, outputTokens: 0 }, latencyMs: 0, model: 'm' }) },
      cweFor: () => 89,
      cweName: () => 'SQL Injection',
      detectionPrompt: () => [],
      parseAnswer: () => false,
    };
    const { scanners } = await createScanners(['llm'], { llm });
    expect(scanners[0]).toBeInstanceOf(LlmJudgeScanner);
  });
});

describe('createScanners auto', () => {
  it('uses every available scanner except llm and says why the others were skipped', async () => {
    const { scanners, skipped } = await createScanners('auto', { loadBuiltin, codeql: missing, semgrep: missing });
    expect(scanners.map((s) => s.name)).toEqual(['builtin', 'bandit']);
    expect(skipped).toEqual([
      { name: 'codeql', reason: 'codeql not found or not executable at /nonexistent/tool' },
      { name: 'semgrep', reason: 'semgrep not found or not executable at /nonexistent/tool' },
    ]);
    expect(scanners.some((s) => s instanceof CodeqlScanner)).toBe(false);
  });

  it('skips a missing builtin module instead of failing', async () => {
    const { scanners, skipped } = await createScanners('auto', {
      loadBuiltin: () => loadBuiltinScanner('./no-such-builtin.js'),
      codeql: missing,
      semgrep: missing,
    });
    expect(scanners.map((s) => s.name)).toEqual(['bandit']);
    expect(skipped[0].name).toBe('builtin');
    expect(skipped[0].reason).toMatch(/builtin scanner is missing/);
  });

  it('fails when nothing at all is available', async () => {
    await expect(
      createScanners('auto', { loadBuiltin: () => loadBuiltinScanner('./no-such-builtin.js'), bandit: missing, codeql: missing, semgrep: missing }),
    ).rejects.toThrow(/no scanner is available: builtin: .*; bandit: .*; codeql: .*; semgrep: /);
  });
});

describe('loadBuiltinScanner', () => {
  it('gives a clear UserError when the module is missing', async () => {
    await expect(loadBuiltinScanner('./no-such-builtin.js')).rejects.toThrow(UserError);
  });

  it('loads the BuiltinScanner class from src/scanners/builtin.ts by default', async () => {
    const BuiltinScanner = await loadBuiltinScanner();
    const scanner = new BuiltinScanner();
    expect(scanner.name).toBe('builtin');
    expect(await scanner.unavailableReason()).toBeNull();
  });

  it('rejects a module without a BuiltinScanner export', async () => {
    await expect(loadBuiltinScanner('./source-lines.js')).rejects.toThrow(/does not export a BuiltinScanner class/);
  });
});

describe('describeScanners', () => {
  it('uses describe() where a scanner has it and the name otherwise', async () => {
    const { describeScanners } = await import('./metadata.js');
    const tools = await describeScanners([new BanditScanner(), new FakeBuiltin()]);
    expect(tools.builtin).toEqual({ tool: { name: 'builtin' }, rules: [] });
    expect(tools.bandit.tool.name).toBe('bandit');
    expect(tools.bandit.rules.find((r) => r.id === 'B608')).toMatchObject({ name: 'hardcoded_sql_expressions', cwes: [89] });
  });
});
