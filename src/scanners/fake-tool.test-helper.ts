// Test helper: writes a fake command-line tool (a /bin/sh script) into a temp folder.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface FakeTool {
  dir: string;
  executable: string;
  /** One entry per invocation: the arguments, one per line, as the script received them. */
  invocations(): Promise<string[][]>;
  /** Extra lines the script appended to its side log. */
  sideLog(): Promise<string>;
  remove(): Promise<void>;
}

/** `body` is shell code run after the arguments are logged; $LOG_SIDE names a side log file. */
export async function makeFakeTool(name: string, body: string): Promise<FakeTool> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `fake-${name}-`));
  const executable = path.join(dir, name);
  const argsLog = path.join(dir, 'args.log');
  const sideLogPath = path.join(dir, 'side.log');
  const script = `#!/bin/sh
LOG_SIDE='${sideLogPath}'
for a in "$@"; do printf '%s\\n' "$a" >> '${argsLog}'; done
printf '%s\\n' '---' >> '${argsLog}'
${body}
`;
  await writeFile(executable, script);
  await chmod(executable, 0o755);
  return {
    dir,
    executable,
    async invocations() {
      const text = await readFile(argsLog, 'utf8').catch(() => '');
      return text
        .split('---\n')
        .filter((block) => block !== '')
        .map((block) => block.split('\n').filter((line) => line !== ''));
    },
    sideLog: () => readFile(sideLogPath, 'utf8').catch(() => ''),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
