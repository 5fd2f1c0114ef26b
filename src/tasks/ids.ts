// SecurityEval task ids in their three spellings:
//   dataset `CWE-020_author_1.py`, folder `CWE-020/author_1.py`, flat (RQ4) `CWE-020-author_1.py`.

const TASK_ID = /^(CWE-\d+)[_/-](.+)$/i;

/** `CWE-020_author_1.py` or `CWE-020-author_1.py` → `CWE-020/author_1.py`; other ids unchanged. */
export function toFolderId(id: string): string {
  const m = TASK_ID.exec(id);
  return m ? `${m[1]}/${m[2]}` : id;
}

/** `CWE-020/author_1.py` or `CWE-020_author_1.py` → `CWE-020-author_1.py`; other ids unchanged. */
export function toFlatId(id: string): string {
  const m = TASK_ID.exec(id);
  return m ? `${m[1]}-${m[2]}` : id;
}

/** `CWE-020/author_1.py` or `CWE-020-author_1.py` → `CWE-020_author_1.py` (the dataset's own form). */
export function toDatasetId(id: string): string {
  const m = TASK_ID.exec(id);
  return m ? `${m[1]}_${m[2]}` : id;
}
