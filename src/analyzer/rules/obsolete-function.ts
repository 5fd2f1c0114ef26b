import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

/** Obsolete callables: what replaces each. */
const OBSOLETE_CALLS: Record<string, string> = {
  'time.clock': 'time.perf_counter() or time.process_time() (time.clock was removed in Python 3.8)',
  'os.tempnam': 'tempfile.mkstemp() or tempfile.NamedTemporaryFile()',
  'os.tmpnam': 'tempfile.mkstemp() or tempfile.NamedTemporaryFile()',
  'os.popen2': 'subprocess.Popen with stdin/stdout pipes',
  'os.popen3': 'subprocess.Popen with stdin/stdout/stderr pipes',
  'os.popen4': 'subprocess.Popen with stdin and stdout/stderr pipes',
  'os.getcwdu': 'os.getcwd()',
  'cgi.escape': 'html.escape() (cgi.escape was removed in Python 3.8)',
  'cgi.parse_qs': 'urllib.parse.parse_qs()',
  'cgi.parse_qsl': 'urllib.parse.parse_qsl()',
  'string.maketrans': 'str.maketrans() / bytes.maketrans()',
  'string.atoi': 'int()',
  'string.atol': 'int()',
  'string.atof': 'float()',
  'string.upper': 'str.upper()',
  'string.lower': 'str.lower()',
  'string.join': 'str.join()',
  'string.split': 'str.split()',
  'string.replace': 'str.replace()',
  'string.strip': 'str.strip()',
  'platform.linux_distribution': 'the distro package or platform.freedesktop_os_release()',
  'platform.dist': 'the distro package or platform.freedesktop_os_release()',
  'base64.encodestring': 'base64.encodebytes()',
  'base64.decodestring': 'base64.decodebytes()',
  'inspect.getargspec': 'inspect.signature() or inspect.getfullargspec()',
  'imp.load_source': 'importlib.util.spec_from_file_location() and module_from_spec()',
  'imp.load_module': 'importlib.import_module()',
  'imp.find_module': 'importlib.util.find_spec()',
  'imp.reload': 'importlib.reload()',
  'imp.new_module': 'types.ModuleType()',
  'ssl.wrap_socket': 'ssl.create_default_context().wrap_socket(sock, server_hostname=...)',
  'ssl.match_hostname': 'the hostname check built into SSLContext (check_hostname=True)',
  'asyncio.async': 'asyncio.ensure_future() / asyncio.create_task()',
  'sys.setcheckinterval': 'sys.setswitchinterval()',
  'xml.etree.ElementTree.Element.getchildren': 'list(element)',
  'xml.etree.ElementTree.Element.getiterator': 'element.iter()',
  'threading.Thread.isAlive': 'Thread.is_alive()',
  'execfile': 'exec(open(path).read()) only for trusted files, or importlib',
  'raw_input': 'input()',
  'unichr': 'chr()',
  'apply': 'f(*args, **kwargs)',
  'intern': 'sys.intern()',
  'md5.new': 'hashlib.sha256() (the md5 module is gone; MD5 is also broken)',
  'sha.new': 'hashlib.sha256() (the sha module is gone; SHA-1 is also broken)',
  'md5.md5': 'hashlib.sha256()',
  'sha.sha': 'hashlib.sha256()',
};

/** Modules that are obsolete as a whole (removed or deprecated for removal). */
const OBSOLETE_MODULES: Record<string, string> = {
  imp: 'importlib',
  asyncore: 'asyncio',
  asynchat: 'asyncio',
  smtpd: 'aiosmtpd',
  md5: 'hashlib',
  sha: 'hashlib',
  popen2: 'subprocess',
  commands: 'subprocess',
  sets: 'the built-in set type',
  mimetools: 'email',
  rfc822: 'email',
  posixfile: 'fcntl.lockf',
  telnetlib: 'an SSH library such as paramiko',
  cgi: 'urllib.parse and email.message (cgi was removed in Python 3.13)',
  cgitb: 'the traceback module',
  pipes: 'shlex.quote and subprocess',
  distutils: 'setuptools / sysconfig',
  formatter: 'custom code',
};

export default defineRule({
  meta: {
    id: 'py/obsolete-function',
    cwes: [477],
    severity: 'low',
    confidence: 'high',
    message: 'Obsolete function or module used',
    fixHint: 'Replace the obsolete API with its maintained equivalent (named in the message); removed APIs fail at run time on current Python versions.',
    doc: 'Obsolete functions are no longer maintained: some were removed from Python 3 (time.clock, cgi.escape, the md5 module), others were replaced because they were unsafe (os.tempnam, ssl.wrap_socket). Code that depends on them breaks on upgrade or keeps a known weakness.',
  },
  check(context) {
    const { model } = context;
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const [q, replacement] of Object.entries(OBSOLETE_CALLS))
      calls[q] = (c) => {
        // A bare `raw_input()` or `execfile()` only means the builtin when nothing local shadows it.
        if (!q.includes('.') && model.reaching(c.callee).length > 0) return;
        context.report({ node: c.node, message: `${q}() is obsolete: use ${replacement}` });
      };
    const reportImport = (node: Parameters<typeof context.report>[0]['node'], module: string): void => {
      const top = module.split('.')[0]!;
      const replacement = OBSOLETE_MODULES[top];
      if (replacement) context.report({ node, message: `module ${top} is obsolete: use ${replacement}`});
    };
    return {
      calls,
      nodes: {
        import_statement(node) {
          for (const n of node.childrenOf('name')) {
            const dotted = n.type === 'aliased_import' ? n.child('name')?.text : n.text;
            if (dotted) reportImport(node, dotted);
          }
        },
        import_from_statement(node) {
          const module = node.child('module_name');
          if (module?.type === 'dotted_name') reportImport(node, module.text);
        },
      },
    };
  },
});
