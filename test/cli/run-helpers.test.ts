import { describe, expect, it } from 'vitest';
import { outputFileName } from '../../src/agent/index.js';
import { resumeCommand } from '../../src/cli/commands/run.js';

describe('outputFileName', () => {
  it('makes a task id a flat file name', () => {
    expect(outputFileName('CWE-020/author_1.py')).toBe('CWE-020-author_1.py');
    expect(outputFileName('web/views/login.py')).toBe('web-views-login.py');
    expect(outputFileName('prompt')).toBe('prompt.py');
    expect(outputFileName('../escape.py')).toBe('escape.py');
  });
});

describe('resumeCommand', () => {
  it('repeats the command line with the run id and --resume, quoting what the shell would split', () => {
    const argv = ['node', '/usr/bin/secagent', 'run', '--tasks', 'my tasks.jsonl', '--only', 'CWE-0*', '--resume', '--run-id', 'old', '--out', 'out/'];
    expect(resumeCommand(argv, 'r-1')).toBe("secagent run --tasks 'my tasks.jsonl' --only 'CWE-0*' --out out/ --run-id r-1 --resume");
  });
});
