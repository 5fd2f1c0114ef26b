/** The file a task's code is written to: its id with `/` made `-` (`CWE-020/author_1.py` → `CWE-020-author_1.py`). */
export function outputFileName(taskId: string): string {
  const flat = taskId.replace(/[\\/]+/g, '-').replace(/^[-.]+/, '') || 'task';
  return flat.toLowerCase().endsWith('.py') ? flat : `${flat}.py`;
}
