// Extraction and answer parsing on the published study artifacts: the code four LLMs wrote
// for SecurityEval (RQ1) and the detection answers (RQ2).

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractPythonCode, parseDetectionAnswer } from '../../src/llm/index.js';
import { studyArtifactsDir } from '../../src/tasks/datasets.js';

const root = studyArtifactsDir();
const GENERATORS = ['gpt3.5', 'gpt4', 'codellama', 'codegeex2'];

function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? pythonFiles(path) : path.endsWith('.py') ? [path] : [];
  });
}

const normalized = (s: string) => s.replace(/\r\n?/g, '\n').replace(/\s+$/, '');

describe.each(GENERATORS)('RQ1 code by %s', (generator) => {
  const files = pythonFiles(join(root, 'RQ1', `generatedCode_${generator}`));

  it('has the 121 SecurityEval tasks', () => {
    expect(files).toHaveLength(121);
  });

  it('every file given as a bare reply comes back unchanged', () => {
    const changed = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      const r = extractPythonCode(text);
      return 'error' in r || normalized(r.code) !== normalized(text);
    });
    expect(changed).toEqual([]);
  });

  it('every file wrapped in a chatty fenced reply comes back unchanged', () => {
    const changed = files.filter((f) => {
      const text = readFileSync(f, 'utf8');
      const reply = `Sure! Here is the completed code:\n\n\`\`\`python\n${text}\n\`\`\`\n\nThis code completes the function as the comments ask.`;
      const r = extractPythonCode(reply);
      return 'error' in r || normalized(r.code) !== normalized(text);
    });
    expect(changed).toEqual([]);
  });
});

describe('RQ2 detection answers', () => {
  const rows = readdirSync(join(root, 'RQ2'))
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(join(root, 'RQ2', f), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => ({ file: f, judge: String((JSON.parse(l) as { Judge: unknown }).Judge) })),
    );

  it('plain true/false answers (any case, any spacing) parse to the same value', () => {
    const plain = rows.filter((r) => /^\s*(true|false)\s*$/i.test(r.judge));
    expect(plain.length).toBeGreaterThan(900);
    for (const r of plain) expect(parseDetectionAnswer(r.judge)).toBe(/true/i.test(r.judge));
  });

  it('GPT-3.5 and GPT-4 answers all parse', () => {
    const gpt = rows.filter((r) => /detectResult_gpt/.test(r.file));
    expect(gpt.filter((r) => parseDetectionAnswer(r.judge) === undefined)).toEqual([]);
  });
});
