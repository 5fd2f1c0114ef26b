import { describe, expect, it } from 'vitest';
import { buildProgram, invokedCommand } from '../../src/cli/main.js';

const argv = (...args: string[]) => ['node', 'secagent', ...args];

describe('loading only the command being run', () => {
  it('finds the command after the program options', () => {
    expect(invokedCommand(argv('scan', 'a.py'))).toBe('scan');
    expect(invokedCommand(argv('--store', 'x.db', 'report', 'r1'))).toBe('report');
    expect(invokedCommand(argv('--store=x.db', '--debug', 'scan', 'a.py'))).toBe('scan');
  });

  it('loads everything when the command is unknown or help or version is asked for', () => {
    expect(invokedCommand(argv())).toBeUndefined();
    expect(invokedCommand(argv('--help'))).toBeUndefined();
    expect(invokedCommand(argv('-V'))).toBeUndefined();
    expect(invokedCommand(argv('help', 'scan'))).toBeUndefined();
    expect(invokedCommand(argv('scna'))).toBeUndefined();
    expect(invokedCommand(argv('--debug=1', 'scan'))).toBeUndefined();
    expect(invokedCommand(argv('--store'))).toBeUndefined();
  });

  it('registers one command or all of them, in help order', async () => {
    expect((await buildProgram('scan')).commands.map((c) => c.name())).toEqual(['scan']);
    expect((await buildProgram()).commands.map((c) => c.name())).toEqual(['generate', 'fix', 'run', 'scan', 'study', 'report']);
  });
});
