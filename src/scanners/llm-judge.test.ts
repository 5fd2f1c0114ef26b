import { describe, expect, it } from 'vitest';
import type { ChatModel, ChatRequest, ChatResponse } from '../llm/types.js';
import { LLM_JUDGE_RULE_ID, LlmJudgeScanner, type LlmJudgeCall, type LlmJudgeOptions } from './llm-judge.js';
import type { SourceFile } from './types.js';

/** A fake model answering from the code: "True" when the code contains VULN, "maybe" when it contains ODD. */
function fakeModel(delayMs = 0): ChatModel & { requests: ChatRequest[]; maxInFlight: number } {
  let inFlight = 0;
  const model = {
    id: 'fake:judge-1',
    provider: 'fake',
    model: 'judge-1',
    requests: [] as ChatRequest[],
    maxInFlight: 0,
    async chat(request: ChatRequest): Promise<ChatResponse> {
      model.requests.push(request);
      inFlight += 1;
      model.maxInFlight = Math.max(model.maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight -= 1;
      const code = request.messages.at(-1)?.content ?? '';
      const text = code.includes('VULN') ? 'True' : code.includes('ODD') ? 'maybe?' : 'False';
      return { text, usage: { inputTokens: 10, outputTokens: 1 }, latencyMs: delayMs, model: 'judge-1' };
    },
  };
  return model;
}

const NAMES: Record<number, string> = { 89: 'SQL Injection', 78: 'OS Command Injection' };

function options(model: ChatModel, extra: Partial<LlmJudgeOptions> = {}): LlmJudgeOptions {
  return {
    model,
    cweFor: (file) => (file.path.startsWith('CWE-089') ? 89 : file.path.startsWith('CWE-078') ? 78 : undefined),
    cweName: (id) => NAMES[id],
    detectionPrompt: (code, cwe) => [
      { role: 'system', content: `Does this code have ${cwe.name} (CWE-${cwe.id})? Answer True or False.` },
      { role: 'user', content: code },
    ],
    parseAnswer: (text) => (/^true/i.test(text.trim()) ? true : /^false/i.test(text.trim()) ? false : undefined),
    ...extra,
  };
}

describe('LlmJudgeScanner', () => {
  it('turns True into one finding for the asked CWE, False into nothing, and a vague answer into a diagnostic', async () => {
    const model = fakeModel();
    const calls: LlmJudgeCall[] = [];
    const scanner = new LlmJudgeScanner(options(model, { onCall: (call) => calls.push(call) }));
    const files: SourceFile[] = [
      { path: 'CWE-089/a.py', content: 'q = "SELECT %s" % x  # VULN\n' },
      { path: 'CWE-078/b.py', content: 'print("fine")\n' },
      { path: 'CWE-078/c.py', content: 'ODD = 1\n' },
      { path: 'other/d.py', content: 'VULN = 2\n' },
    ];
    const result = await scanner.scan(files);

    expect(result.findings).toEqual([
      {
        scanner: 'llm',
        ruleId: LLM_JUDGE_RULE_ID,
        cwes: [89],
        severity: 'medium',
        confidence: 'low',
        message: 'fake:judge-1 judged this code vulnerable to CWE-89 (SQL Injection)',
        file: 'CWE-089/a.py',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 28,
        snippet: 'q = "SELECT %s" % x  # VULN',
      },
    ]);
    expect(result.diagnostics).toEqual([
      { scanner: 'llm', file: 'CWE-078/c.py', message: 'fake:judge-1 gave no clear answer about CWE-78: maybe?' },
      { scanner: 'llm', file: 'other/d.py', message: 'no CWE to ask the judge about; file not judged' },
    ]);
    expect(model.requests).toHaveLength(3);
    expect(model.requests[0].messages[0].content).toBe('Does this code have SQL Injection (CWE-89)? Answer True or False.');
    expect(scanner.usage).toEqual({ inputTokens: 30, outputTokens: 3 });
    expect(calls.map((c) => [c.file.path, c.cwe.id, c.verdict])).toEqual([
      ['CWE-089/a.py', 89, true],
      ['CWE-078/b.py', 78, false],
      ['CWE-078/c.py', 78, undefined],
    ]);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const model = fakeModel(15);
    const files = Array.from({ length: 9 }, (_, i) => ({ path: `CWE-089/${i}.py`, content: 'x = 1\n' }));
    await new LlmJudgeScanner(options(model, { concurrency: 2 })).scan(files);
    expect(model.requests).toHaveLength(9);
    expect(model.maxInFlight).toBe(2);
  });

  it('falls back to CWE-n when the name is unknown and passes temperature and maxTokens', async () => {
    const model = fakeModel();
    await new LlmJudgeScanner(options(model, { cweName: () => undefined, temperature: 0, maxTokens: 5 })).scan([
      { path: 'CWE-089/a.py', content: 'VULN\n' },
    ]);
    expect(model.requests[0]).toMatchObject({ temperature: 0, maxTokens: 5 });
    expect(model.requests[0].messages[0].content).toContain('Does this code have CWE-89 (CWE-89)?');
  });

  it('propagates model failures and aborts', async () => {
    const failing: ChatModel = {
      id: 'fake:down',
      provider: 'fake',
      model: 'down',
      chat: async () => {
        throw new Error('HTTP 500 from provider');
      },
    };
    await expect(new LlmJudgeScanner(options(failing)).scan([{ path: 'CWE-089/a.py', content: 'x\n' }])).rejects.toThrow(/HTTP 500/);
    const controller = new AbortController();
    controller.abort();
    await expect(
      new LlmJudgeScanner(options(fakeModel())).scan([{ path: 'CWE-089/a.py', content: 'x\n' }], { signal: controller.signal }),
    ).rejects.toThrow();
  });

  it('rejects a bad concurrency', () => {
    expect(() => new LlmJudgeScanner(options(fakeModel(), { concurrency: 0 }))).toThrow(/concurrency/);
  });
});
