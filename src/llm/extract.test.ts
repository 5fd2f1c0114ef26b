import { describe, expect, it } from 'vitest';
import { extractPythonCode, extractValidPython } from './extract.js';

const FN = 'def add(a, b):\n    return a + b\n';

function codeOf(reply: string): string {
  const r = extractPythonCode(reply);
  if ('error' in r) throw new Error(`expected code, got ${r.error}`);
  return r.code;
}

describe('extractPythonCode: reply shapes', () => {
  it('1. a ```python block between prose', () => {
    expect(codeOf(`Here is the code:\n\`\`\`python\n${FN}\`\`\`\nIt adds two numbers.`)).toBe(FN);
  });

  it('2. a ```py block', () => {
    expect(codeOf(`\`\`\`py\n${FN}\`\`\``)).toBe(FN);
  });

  it('3. a ```Python3 block (tag case and version)', () => {
    expect(codeOf(`\`\`\`Python3\n${FN}\`\`\``)).toBe(FN);
  });

  it('4. a ~~~ fence', () => {
    expect(codeOf(`~~~python\n${FN}~~~\n`)).toBe(FN);
  });

  it('5. an untagged fence holding Python', () => {
    expect(codeOf(`The fix:\n\`\`\`\nimport os\n${FN}\`\`\``)).toBe(`import os\n${FN}`);
  });

  it('6. an untagged fence whose first line names the language', () => {
    expect(codeOf(`\`\`\`\npython\n${FN}\`\`\``)).toBe(FN);
  });

  it('7. no fence: the whole reply is code', () => {
    expect(codeOf(`import json\n\n${FN}`)).toBe(`import json\n\n${FN}`);
  });

  it('8. no fence: leading "Here is the code:" and a trailing explanation are stripped', () => {
    const reply = `Here is the code:\n\nimport os\n${FN}\nThis function adds two numbers and returns the result.\n`;
    expect(codeOf(reply)).toBe(`import os\n${FN}`);
  });

  it('9. an unterminated fence (truncated reply) keeps the code and flags it', () => {
    const r = extractPythonCode(`Sure:\n\`\`\`python\n${FN}def sub(a, b):\n    return a -`);
    expect(r).toEqual({ code: `${FN}def sub(a, b):\n    return a -\n`, truncated: true });
  });

  it('10. CRLF line endings', () => {
    expect(codeOf(`Code:\r\n\`\`\`python\r\ndef f():\r\n    return 1\r\n\`\`\`\r\n`)).toBe('def f():\n    return 1\n');
  });

  it('11. several blocks: the full program, then an example-usage block → the program', () => {
    const reply = `\`\`\`python\nimport os\n\n${FN}\`\`\`\n\nExample usage:\n\`\`\`python\nprint(add(1, 2))\n\`\`\``;
    expect(codeOf(reply)).toBe(`import os\n\n${FN}`);
  });

  it('12. several blocks that are parts of one program (imports, then two functions) → joined in order', () => {
    const reply =
      'First the imports:\n```python\nimport os\n```\nThen a helper:\n```python\ndef base():\n    return os.getcwd()\n```\n' +
      'And the function:\n```python\ndef full(name):\n    return os.path.join(base(), name)\n```';
    expect(codeOf(reply)).toBe(
      'import os\n\ndef base():\n    return os.getcwd()\n\ndef full(name):\n    return os.path.join(base(), name)\n',
    );
  });

  it('13. two versions of the same function (original and fixed) → the larger, fixed one', () => {
    const reply =
      'Vulnerable:\n```python\ndef load(x):\n    return eval(x)\n```\nFixed:\n```python\nimport ast\n\ndef load(x):\n    return ast.literal_eval(x)\n```';
    expect(codeOf(reply)).toBe('import ast\n\ndef load(x):\n    return ast.literal_eval(x)\n');
  });

  it('14. a python block preferred over an untagged one and a bash one', () => {
    const reply = `Install:\n\`\`\`bash\npip install flask\n\`\`\`\nOutput:\n\`\`\`\nx = 3\n\`\`\`\nCode:\n\`\`\`python\n${FN}\`\`\``;
    expect(codeOf(reply)).toBe(FN);
  });

  it('15. <code> tags, with HTML entities', () => {
    expect(codeOf('<pre><code class="language-python">def lt(a, b):\n    return a &lt; b and "&amp;"\n</code></pre>')).toBe(
      'def lt(a, b):\n    return a < b and "&"\n',
    );
  });

  it('16. inline backticks only → no-code', () => {
    expect(extractPythonCode('Use `os.path.join` instead of string concatenation, and call `secure_filename()`.')).toEqual({
      error: 'no-code',
    });
  });

  it('17. plain prose (a detection answer) → no-code', () => {
    expect(extractPythonCode('True. The code is vulnerable to SQL injection.')).toEqual({ error: 'no-code' });
  });

  it('18. an empty reply → empty', () => {
    expect(extractPythonCode('  \n ')).toEqual({ error: 'empty' });
  });

  it('19. an empty ```python block → empty', () => {
    expect(extractPythonCode('Here it is:\n```python\n\n```')).toEqual({ error: 'empty' });
  });

  it('20. only a bash block → no-code', () => {
    expect(extractPythonCode('```bash\npip install requests\n```')).toEqual({ error: 'no-code' });
  });

  it('21. a fence closed at the end of the last code line', () => {
    expect(codeOf('```python\ndef f():\n    return 1```')).toBe('def f():\n    return 1\n');
  });

  it('22. an opening fence after prose on the same line', () => {
    expect(codeOf(`Sure! Here you go: \`\`\`python\n${FN}\`\`\``)).toBe(FN);
  });

  it('23. a fence indented inside a markdown list is dedented', () => {
    expect(codeOf('1. The code:\n   ```python\n   def f():\n       return 1\n   ```\n2. Done.')).toBe('def f():\n    return 1\n');
  });

  it('24. <think> reasoning is ignored', () => {
    expect(codeOf('<think>maybe\n```python\nbroken(\n```\n</think>\n```python\ndef g():\n    pass\n```')).toBe('def g():\n    pass\n');
  });

  it('25. a ```python block with a filename attribute', () => {
    expect(codeOf(`\`\`\`python title="app.py"\n${FN}\`\`\``)).toBe(FN);
  });

  it('26. backticks inside a Python string do not close the block', () => {
    const code = 'FENCE = "```"\n\ndef fence():\n    return FENCE\n';
    expect(codeOf(`\`\`\`python\n${code}\`\`\``)).toBe(code);
  });
});

describe('extractPythonCode: unfenced code keeps what belongs to it', () => {
  it('27. comment lines above the first statement are kept', () => {
    const code = '# Importing modules\nfrom flask import Flask\n# the app\napp = Flask(__name__)\n';
    expect(codeOf(`Sure.\n${code}`)).toBe(code);
  });

  it('28. a module docstring above the first statement is kept', () => {
    const code = "'''\nDjango settings\n'''\nDATABASES = {\n    'default': {},\n}\n";
    expect(codeOf(code)).toBe(code);
  });

  it('29. a script that starts with a loop header', () => {
    const code = 'while True:\n    try:\n        n = int(input())\n    except ValueError:\n        print("again")\n';
    expect(codeOf(code)).toBe(code);
  });
});

describe('extractValidPython', () => {
  it('returns code that parses', async () => {
    expect(await extractValidPython(`\`\`\`python\n${FN}\`\`\``)).toEqual({ code: FN });
  });

  it('reports a syntax error with its line', async () => {
    const r = await extractValidPython('```python\nimport os\n\ndef f(:\n    return 1\n```');
    expect(r).toMatchObject({ error: 'syntax', line: 3 });
    expect('detail' in r && r.detail).toMatch(/^line 3: /);
  });

  it('notes a cut-off reply in the syntax detail', async () => {
    const r = await extractValidPython('```python\ndef f(a,\n');
    expect(r).toMatchObject({ error: 'syntax' });
    expect('detail' in r && r.detail).toContain('cut off');
  });

  it('passes on no-code with a detail', async () => {
    expect(await extractValidPython('I cannot help with that.')).toEqual({ error: 'no-code', detail: 'the reply holds no Python code' });
  });
});
