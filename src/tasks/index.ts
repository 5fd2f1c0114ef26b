export { loadTasks, readSecurityEval, parseSecurityEvalJsonl, isUrl } from './load.js';
export type { LoadOptions, SecurityEvalRecord } from './load.js';
export { toFolderId, toFlatId, toDatasetId } from './ids.js';
export { readSourceFile, decodeUtf8Text } from './read.js';
export { matchesGlob, globToRegExp } from './glob.js';
export { defaultDatasetsDir, securityEvalPath, studyArtifactsDir, repoRoot } from './datasets.js';
