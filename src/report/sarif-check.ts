// A structural check of a SARIF 2.1.0 log against the spec rules consumers rely on.
// Not a full JSON-schema validation: it checks what breaks viewers and code-scanning uploads.

const LEVELS = new Set(['none', 'note', 'warning', 'error']);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInt(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1;
}

/** Problems found, each as `path: what is wrong`; an empty list means the log passed. */
export function checkSarif(log: unknown): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`${where}: ${what}`);

  if (!isObject(log)) return ['$: not a JSON object'];
  if (log.version !== '2.1.0') problem('$.version', `must be "2.1.0", got ${JSON.stringify(log.version)}`);
  if (typeof log.$schema !== 'string' || !/sarif-2\.1\.0|sarif-schema-2\.1\.0/.test(log.$schema)) {
    problem('$.$schema', 'must name the SARIF 2.1.0 schema');
  }
  if (!Array.isArray(log.runs)) {
    problem('$.runs', 'must be an array');
    return problems;
  }
  log.runs.forEach((run, r) => checkRun(run, `$.runs[${r}]`, problem));
  return problems;
}

function checkRun(run: unknown, at: string, problem: (where: string, what: string) => void): void {
  if (!isObject(run)) return problem(at, 'not an object');
  const driver = isObject(run.tool) && isObject(run.tool.driver) ? run.tool.driver : undefined;
  if (!driver) return problem(`${at}.tool.driver`, 'missing');
  if (typeof driver.name !== 'string' || driver.name === '') problem(`${at}.tool.driver.name`, 'must be a non-empty string');

  const rules = Array.isArray(driver.rules) ? driver.rules : [];
  if (driver.rules !== undefined && !Array.isArray(driver.rules)) problem(`${at}.tool.driver.rules`, 'must be an array');
  const ruleIds = new Set<string>();
  rules.forEach((rule, i) => {
    const where = `${at}.tool.driver.rules[${i}]`;
    if (!isObject(rule) || typeof rule.id !== 'string' || rule.id === '') return problem(where, 'must have a non-empty id');
    if (ruleIds.has(rule.id)) problem(`${where}.id`, `duplicate rule id ${rule.id}`);
    ruleIds.add(rule.id);
    for (const field of ['shortDescription', 'fullDescription', 'help'] as const) {
      const value = rule[field];
      if (value !== undefined && !(isObject(value) && typeof value.text === 'string')) problem(`${where}.${field}`, 'must have a text');
    }
    const level = isObject(rule.defaultConfiguration) ? rule.defaultConfiguration.level : undefined;
    if (level !== undefined && !LEVELS.has(level as string)) problem(`${where}.defaultConfiguration.level`, `invalid level ${String(level)}`);
  });

  const baseIds = isObject(run.originalUriBaseIds) ? run.originalUriBaseIds : {};
  for (const [id, location] of Object.entries(baseIds)) {
    const uri = isObject(location) ? location.uri : undefined;
    if (typeof uri !== 'string' || !uri.endsWith('/')) problem(`${at}.originalUriBaseIds.${id}.uri`, 'must be a URI ending in "/"');
  }

  if (run.invocations !== undefined) {
    if (!Array.isArray(run.invocations)) problem(`${at}.invocations`, 'must be an array');
    else
      run.invocations.forEach((invocation, i) => {
        const where = `${at}.invocations[${i}]`;
        if (!isObject(invocation) || typeof invocation.executionSuccessful !== 'boolean') {
          return problem(`${where}.executionSuccessful`, 'required boolean');
        }
        const notifications = invocation.toolExecutionNotifications;
        if (notifications !== undefined && !Array.isArray(notifications)) problem(`${where}.toolExecutionNotifications`, 'must be an array');
        (Array.isArray(notifications) ? notifications : []).forEach((n, j) => {
          const nAt = `${where}.toolExecutionNotifications[${j}]`;
          if (!isObject(n) || !hasMessage(n.message)) problem(`${nAt}.message`, 'must have a text');
          else if (n.level !== undefined && !LEVELS.has(n.level as string)) problem(`${nAt}.level`, `invalid level ${String(n.level)}`);
          if (isObject(n) && Array.isArray(n.locations)) n.locations.forEach((l, k) => checkLocation(l, `${nAt}.locations[${k}]`, baseIds, problem));
        });
      });
  }

  if (run.results === undefined) return;
  if (!Array.isArray(run.results)) return problem(`${at}.results`, 'must be an array');
  run.results.forEach((result, i) => {
    const where = `${at}.results[${i}]`;
    if (!isObject(result)) return problem(where, 'not an object');
    if (!hasMessage(result.message)) problem(`${where}.message`, 'must have a text or an id');
    if (result.level !== undefined && !LEVELS.has(result.level as string)) problem(`${where}.level`, `invalid level ${String(result.level)}`);
    if (result.ruleIndex !== undefined) {
      const index = result.ruleIndex;
      const rule = Number.isInteger(index) && (index as number) >= 0 ? rules[index as number] : undefined;
      if (!isObject(rule)) problem(`${where}.ruleIndex`, `${String(result.ruleIndex)} points at no rule`);
      else if (result.ruleId !== undefined && rule.id !== result.ruleId) {
        problem(`${where}.ruleIndex`, `points at rule ${String(rule.id)} but ruleId is ${String(result.ruleId)}`);
      }
    }
    if (result.ruleId === undefined && !isObject(result.rule)) problem(where, 'needs a ruleId or a rule reference');
    if (Array.isArray(result.locations)) result.locations.forEach((l, k) => checkLocation(l, `${where}.locations[${k}]`, baseIds, problem));
    if (result.partialFingerprints !== undefined) {
      const values = isObject(result.partialFingerprints) ? Object.values(result.partialFingerprints) : [null];
      if (values.some((v) => typeof v !== 'string')) problem(`${where}.partialFingerprints`, 'values must be strings');
    }
    if (result.codeFlows !== undefined) checkCodeFlows(result.codeFlows, `${where}.codeFlows`, baseIds, problem);
  });
}

function hasMessage(message: unknown): boolean {
  return isObject(message) && (typeof message.text === 'string' || typeof message.id === 'string');
}

function checkCodeFlows(codeFlows: unknown, at: string, baseIds: Json, problem: (where: string, what: string) => void): void {
  if (!Array.isArray(codeFlows)) return problem(at, 'must be an array');
  codeFlows.forEach((flow, i) => {
    const threadFlows = isObject(flow) ? flow.threadFlows : undefined;
    if (!Array.isArray(threadFlows) || threadFlows.length === 0) return problem(`${at}[${i}].threadFlows`, 'must be a non-empty array');
    threadFlows.forEach((thread, j) => {
      const locations = isObject(thread) ? thread.locations : undefined;
      const tAt = `${at}[${i}].threadFlows[${j}].locations`;
      if (!Array.isArray(locations) || locations.length === 0) return problem(tAt, 'must be a non-empty array');
      locations.forEach((step, k) => {
        if (isObject(step) && step.location !== undefined) checkLocation(step.location, `${tAt}[${k}].location`, baseIds, problem);
      });
    });
  });
}

function checkLocation(location: unknown, at: string, baseIds: Json, problem: (where: string, what: string) => void): void {
  if (!isObject(location)) return problem(at, 'not an object');
  const physical = location.physicalLocation;
  if (physical === undefined) return;
  if (!isObject(physical)) return problem(`${at}.physicalLocation`, 'not an object');
  const artifact = physical.artifactLocation;
  if (isObject(artifact)) {
    if (artifact.uri !== undefined && (typeof artifact.uri !== 'string' || !isUriReference(artifact.uri))) {
      problem(`${at}.physicalLocation.artifactLocation.uri`, `not a valid URI reference: ${JSON.stringify(artifact.uri)}`);
    }
    if (typeof artifact.uriBaseId === 'string' && Object.keys(baseIds).length > 0 && !(artifact.uriBaseId in baseIds)) {
      problem(`${at}.physicalLocation.artifactLocation.uriBaseId`, `${artifact.uriBaseId} is not in run.originalUriBaseIds`);
    }
  }
  if (physical.region !== undefined) checkRegion(physical.region, `${at}.physicalLocation.region`, problem);
}

function checkRegion(region: unknown, at: string, problem: (where: string, what: string) => void): void {
  if (!isObject(region)) return problem(at, 'not an object');
  const { startLine, startColumn, endLine, endColumn } = region;
  if (startLine === undefined && region.charOffset === undefined && region.byteOffset === undefined) {
    problem(at, 'needs startLine, charOffset or byteOffset');
  }
  for (const [name, value] of Object.entries({ startLine, startColumn, endLine, endColumn })) {
    if (value !== undefined && !isPositiveInt(value)) problem(`${at}.${name}`, `must be an integer ≥ 1 (lines and columns are 1-based), got ${JSON.stringify(value)}`);
  }
  if (isPositiveInt(startLine) && isPositiveInt(endLine) && endLine < startLine) problem(`${at}.endLine`, 'is before startLine');
  const sameLine = endLine === undefined || endLine === startLine;
  if (sameLine && isPositiveInt(startColumn) && isPositiveInt(endColumn) && endColumn < startColumn) {
    problem(`${at}.endColumn`, 'is before startColumn');
  }
  if (region.snippet !== undefined && !(isObject(region.snippet) && typeof region.snippet.text === 'string')) {
    problem(`${at}.snippet`, 'must have a text');
  }
}

/** RFC 3986 URI reference characters only (no spaces, backslashes or raw non-ASCII). */
function isUriReference(uri: string): boolean {
  return /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/.test(uri) && !/%(?![0-9A-Fa-f]{2})/.test(uri);
}
