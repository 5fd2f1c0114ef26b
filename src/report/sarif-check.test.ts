import { describe, expect, it } from 'vitest';
import { checkSarif } from './sarif-check.js';

function validLog(): any {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 't', rules: [{ id: 'r0', shortDescription: { text: 'zero' } }, { id: 'r1' }] } },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: [{ level: 'warning', message: { text: 'n' } }] }],
        originalUriBaseIds: { SRCROOT: { uri: 'file:///src/' } },
        results: [
          {
            ruleId: 'r1',
            ruleIndex: 1,
            level: 'error',
            message: { text: 'm' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'a%20b.py', uriBaseId: 'SRCROOT' }, region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 3 } } }],
            codeFlows: [{ threadFlows: [{ locations: [{ location: { physicalLocation: { region: { startLine: 2 } } } }] }] }],
          },
        ],
      },
    ],
  };
}

describe('checkSarif', () => {
  it('accepts a valid log', () => {
    expect(checkSarif(validLog())).toEqual([]);
  });

  const cases: Array<[string, (log: any) => void, RegExp]> = [
    ['wrong version', (l) => (l.version = '2.0.0'), /\$\.version: must be "2\.1\.0"/],
    ['missing $schema', (l) => delete l.$schema, /\$\.\$schema/],
    ['ruleIndex out of range', (l) => (l.runs[0].results[0].ruleIndex = 5), /ruleIndex: 5 points at no rule/],
    ['ruleIndex at another rule', (l) => (l.runs[0].results[0].ruleIndex = 0), /points at rule r0 but ruleId is r1/],
    ['0-based line', (l) => (l.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0), /startLine: must be an integer ≥ 1/],
    ['0-based column', (l) => (l.runs[0].results[0].locations[0].physicalLocation.region.startColumn = 0), /startColumn: must be an integer ≥ 1/],
    ['end before start', (l) => (l.runs[0].results[0].locations[0].physicalLocation.region.endColumn = 0), /endColumn/],
    ['endLine before startLine', (l) => Object.assign(l.runs[0].results[0].locations[0].physicalLocation.region, { startLine: 4, endLine: 2 }), /endLine: is before startLine/],
    ['bad level', (l) => (l.runs[0].results[0].level = 'fatal'), /level: invalid level fatal/],
    ['no message', (l) => delete l.runs[0].results[0].message, /message: must have a text or an id/],
    ['space in uri', (l) => (l.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'a b.py'), /not a valid URI reference/],
    ['unknown uriBaseId', (l) => (l.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uriBaseId = 'X'), /X is not in run\.originalUriBaseIds/],
    ['base URI without slash', (l) => (l.runs[0].originalUriBaseIds.SRCROOT.uri = 'file:///src'), /ending in "\/"/],
    ['duplicate rule ids', (l) => (l.runs[0].tool.driver.rules[0].id = 'r1'), /duplicate rule id r1/],
    ['no executionSuccessful', (l) => delete l.runs[0].invocations[0].executionSuccessful, /executionSuccessful: required boolean/],
    ['empty threadFlows', (l) => (l.runs[0].results[0].codeFlows[0].threadFlows = []), /threadFlows: must be a non-empty array/],
    ['no driver name', (l) => (l.runs[0].tool.driver.name = ''), /driver\.name/],
    ['non-string fingerprint', (l) => (l.runs[0].results[0].partialFingerprints = { a: 1 }), /partialFingerprints: values must be strings/],
  ];
  for (const [name, breakIt, expected] of cases) {
    it(`reports ${name}`, () => {
      const log = validLog();
      breakIt(log);
      const problems = checkSarif(log);
      expect(problems.some((p) => expected.test(p)), problems.join('\n')).toBe(true);
    });
  }

  it('rejects non-objects and missing runs', () => {
    expect(checkSarif(null)).toEqual(['$: not a JSON object']);
    expect(checkSarif({ version: '2.1.0', $schema: 'https://json.schemastore.org/sarif-2.1.0.json' })).toEqual(['$.runs: must be an array']);
  });
});
