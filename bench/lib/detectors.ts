// The scanners `npm run eval` can score: the built-in analyzer and Bandit, alone or together.
import type { Finding } from '../../src/core/types.js';
import { BanditScanner } from '../../src/scanners/bandit.js';
import type { Diagnostic, SourceFile } from '../../src/scanners/types.js';

export interface Detection {
  findings: Finding[];
  diagnostics: Diagnostic[];
}

export interface Detector {
  name: string;
  detect(files: SourceFile[]): Promise<Detection>;
}

export const DETECTOR_NAMES = ['builtin', 'bandit'] as const;

type Analyze = (code: string, options?: { file?: string; cwe?: number }) => Promise<Finding[]>;

export class DetectorUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectorUnavailable';
  }
}

export async function makeDetector(name: string): Promise<Detector> {
  if (name === 'builtin') return builtinDetector(await loadAnalyze());
  if (name === 'bandit') {
    const scanner = new BanditScanner();
    const reason = await scanner.unavailableReason();
    if (reason) throw new DetectorUnavailable(reason);
    return { name, detect: (files) => scanner.scan(files) };
  }
  throw new DetectorUnavailable(`unknown scanner ${JSON.stringify(name)} (expected ${DETECTOR_NAMES.join(' or ')})`);
}

/**
 * The built-in analyzer is scored without the task's CWE (`analyze(code, {file})`), as the
 * agent's loop would see a fresh sample: a hint would make the figures look better than use.
 */
export function builtinDetector(analyze: Analyze): Detector {
  return {
    name: 'builtin',
    async detect(files) {
      const result: Detection = { findings: [], diagnostics: [] };
      for (const file of files) {
        try {
          result.findings.push(...(await analyze(file.content, { file: file.path })));
        } catch (err) {
          result.diagnostics.push({
            scanner: 'builtin',
            file: file.path,
            message: `analyzer failed: ${err instanceof Error ? err.message : String(err)}`,
          });
        }
      }
      return result;
    },
  };
}

async function loadAnalyze(): Promise<Analyze> {
  // A runtime specifier, so this file typechecks while the analyzer is still being written.
  const specifier = '../../src/analyzer/index.js';
  let module: { analyze?: unknown };
  try {
    module = (await import(specifier)) as { analyze?: unknown };
  } catch (err) {
    throw new DetectorUnavailable(
      `the built-in analyzer (src/analyzer/index.ts) cannot be loaded: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (typeof module.analyze !== 'function') {
    throw new DetectorUnavailable('src/analyzer/index.ts exports no analyze() function');
  }
  return module.analyze as Analyze;
}

/** Runs each detector on the same files and pools their findings. */
export function unionDetector(detectors: Detector[]): Detector {
  if (detectors.length === 1) return detectors[0];
  return {
    name: detectors.map((d) => d.name).join('+'),
    async detect(files) {
      const result: Detection = { findings: [], diagnostics: [] };
      for (const detector of detectors) {
        const part = await detector.detect(files);
        result.findings.push(...part.findings);
        result.diagnostics.push(...part.diagnostics);
      }
      return result;
    },
  };
}
