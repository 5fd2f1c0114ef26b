// Bandit's test ids (1.6 to 1.8) with the CWE each maps to and a fix hint a repairer can act on.
// Bandit 1.6.2 prints no CWE; the numbers follow the ones later Bandit versions attach.

export interface BanditTest {
  id: string;
  name: string;
  cwe: number;
  /** What to change so the test no longer fires for a good reason. */
  hint: string;
}

const XML_HINT =
  'Parse untrusted XML with defusedxml (e.g. defusedxml.ElementTree.fromstring) or call defusedxml.defuse_stdlib() first.';
const SHELL_HINT =
  'Pass the command as a list of arguments with shell=False, validate user-supplied parts against an allow-list, and never build a shell string from input (use shlex.quote if a shell is unavoidable).';
const PASSWORD_HINT =
  'Do not hard-code secrets: read them from the environment (os.environ) or a secret store, and compare passwords with a salted hash.';
const TEMP_HINT =
  'Create temporary files and folders with tempfile.mkstemp, NamedTemporaryFile or TemporaryDirectory instead of fixed or predictable paths.';
const EXCEPT_HINT = 'Catch the specific exceptions you expect and log or handle them instead of silently ignoring them.';
const PICKLE_HINT =
  'Do not deserialize untrusted data with pickle, marshal, shelve or similar; use a data-only format such as json and validate it.';
const HASH_HINT =
  'Use a strong hash (hashlib.sha256 or better); for passwords use a slow salted KDF (hashlib.pbkdf2_hmac, scrypt, bcrypt, argon2).';
const CIPHER_HINT =
  'Use a modern authenticated cipher such as AES-GCM or ChaCha20-Poly1305 from the cryptography package.';
const CLEARTEXT_HINT = 'Use an encrypted protocol (SSH/SFTP, FTPS, HTTPS, TLS) instead of a cleartext one.';
const TLS_HINT =
  'Keep certificate verification on: use ssl.create_default_context() and verify=True, never CERT_NONE or an unverified context.';
const TLS_VERSION_HINT =
  'Require TLS 1.2 or newer (ssl.PROTOCOL_TLS_CLIENT with minimum_version = ssl.TLSVersion.TLSv1_2); never SSLv2/SSLv3/TLSv1.0.';
const SQL_HINT =
  'Use parameterized queries (cursor.execute(sql, params)) or the ORM query API; never build SQL with string formatting or concatenation.';
const XSS_HINT =
  'Do not mark untrusted text as safe; escape it (markupsafe.escape, html.escape) or let the template engine autoescape it.';

export const BANDIT_TESTS: readonly BanditTest[] = [
  { id: 'B101', name: 'assert_used', cwe: 703, hint: 'Do not use assert for security or input checks (asserts are removed with -O); raise an exception explicitly.' },
  { id: 'B102', name: 'exec_used', cwe: 78, hint: 'Do not call exec on data; dispatch to known functions from a dictionary or parse input with ast.literal_eval/json.' },
  { id: 'B103', name: 'set_bad_file_permissions', cwe: 732, hint: 'Grant the least permissions needed (e.g. 0o600 for private files, 0o644 or 0o755 at most); never world-writable modes.' },
  { id: 'B104', name: 'hardcoded_bind_all_interfaces', cwe: 605, hint: 'Bind to a specific interface (127.0.0.1 by default) and make a public address an explicit configuration choice.' },
  { id: 'B105', name: 'hardcoded_password_string', cwe: 259, hint: PASSWORD_HINT },
  { id: 'B106', name: 'hardcoded_password_funcarg', cwe: 259, hint: PASSWORD_HINT },
  { id: 'B107', name: 'hardcoded_password_default', cwe: 259, hint: PASSWORD_HINT },
  { id: 'B108', name: 'hardcoded_tmp_directory', cwe: 377, hint: TEMP_HINT },
  { id: 'B110', name: 'try_except_pass', cwe: 703, hint: EXCEPT_HINT },
  { id: 'B112', name: 'try_except_continue', cwe: 703, hint: EXCEPT_HINT },
  { id: 'B113', name: 'request_without_timeout', cwe: 400, hint: 'Pass an explicit timeout to every requests call (e.g. timeout=10).' },
  { id: 'B201', name: 'flask_debug_true', cwe: 94, hint: 'Never run Flask with debug=True outside development; read the debug flag from configuration and default it to False.' },
  { id: 'B202', name: 'tarfile_unsafe_members', cwe: 22, hint: 'Check each tar member\'s resolved path stays inside the target folder (or use extractall(filter="data") on Python 3.12+) before extracting.' },
  { id: 'B301', name: 'pickle', cwe: 502, hint: PICKLE_HINT },
  { id: 'B302', name: 'marshal', cwe: 502, hint: PICKLE_HINT },
  { id: 'B303', name: 'md5', cwe: 327, hint: HASH_HINT },
  { id: 'B304', name: 'ciphers', cwe: 327, hint: CIPHER_HINT },
  { id: 'B305', name: 'cipher_modes', cwe: 327, hint: 'Do not use ECB mode; use an authenticated mode such as GCM with a fresh random nonce.' },
  { id: 'B306', name: 'mktemp_q', cwe: 377, hint: 'Replace tempfile.mktemp with tempfile.mkstemp or NamedTemporaryFile, which create the file atomically.' },
  { id: 'B307', name: 'eval', cwe: 78, hint: 'Do not eval input; use ast.literal_eval for literals, json for data, or an explicit parser for expressions.' },
  { id: 'B308', name: 'mark_safe', cwe: 79, hint: XSS_HINT },
  { id: 'B309', name: 'httpsconnection', cwe: 295, hint: 'Pass a verified ssl.create_default_context() to HTTPSConnection.' },
  { id: 'B310', name: 'urllib_urlopen', cwe: 22, hint: 'Check the URL scheme is http or https (and the host is allowed) before opening it; file:// and custom schemes must be rejected.' },
  { id: 'B311', name: 'random', cwe: 330, hint: 'Use the secrets module (secrets.token_hex, secrets.choice) or os.urandom for anything security-related.' },
  { id: 'B312', name: 'telnetlib', cwe: 319, hint: CLEARTEXT_HINT },
  { id: 'B313', name: 'xml_bad_cElementTree', cwe: 20, hint: XML_HINT },
  { id: 'B314', name: 'xml_bad_ElementTree', cwe: 20, hint: XML_HINT },
  { id: 'B315', name: 'xml_bad_expatreader', cwe: 20, hint: XML_HINT },
  { id: 'B316', name: 'xml_bad_expatbuilder', cwe: 20, hint: XML_HINT },
  { id: 'B317', name: 'xml_bad_sax', cwe: 20, hint: XML_HINT },
  { id: 'B318', name: 'xml_bad_minidom', cwe: 20, hint: XML_HINT },
  { id: 'B319', name: 'xml_bad_pulldom', cwe: 20, hint: XML_HINT },
  { id: 'B320', name: 'xml_bad_etree', cwe: 20, hint: 'Parse untrusted XML with defusedxml.lxml or an lxml XMLParser(resolve_entities=False, no_network=True).' },
  { id: 'B321', name: 'ftplib', cwe: 319, hint: CLEARTEXT_HINT },
  { id: 'B322', name: 'input', cwe: 78, hint: 'On Python 2 use raw_input (input evaluates what it reads); on Python 3 input is safe.' },
  { id: 'B323', name: 'unverified_context', cwe: 295, hint: TLS_HINT },
  { id: 'B324', name: 'hashlib_new_insecure_functions', cwe: 327, hint: HASH_HINT + ' If the hash is not for security, pass usedforsecurity=False.' },
  { id: 'B325', name: 'tempnam', cwe: 377, hint: TEMP_HINT },
  { id: 'B401', name: 'import_telnetlib', cwe: 319, hint: CLEARTEXT_HINT },
  { id: 'B402', name: 'import_ftplib', cwe: 319, hint: CLEARTEXT_HINT },
  { id: 'B403', name: 'import_pickle', cwe: 502, hint: PICKLE_HINT },
  { id: 'B404', name: 'import_subprocess', cwe: 78, hint: SHELL_HINT },
  { id: 'B405', name: 'import_xml_etree', cwe: 20, hint: XML_HINT },
  { id: 'B406', name: 'import_xml_sax', cwe: 20, hint: XML_HINT },
  { id: 'B407', name: 'import_xml_expat', cwe: 20, hint: XML_HINT },
  { id: 'B408', name: 'import_xml_minidom', cwe: 20, hint: XML_HINT },
  { id: 'B409', name: 'import_xml_pulldom', cwe: 20, hint: XML_HINT },
  { id: 'B410', name: 'import_lxml', cwe: 20, hint: XML_HINT },
  { id: 'B411', name: 'import_xmlrpclib', cwe: 20, hint: 'Call defusedxml.xmlrpc.monkey_patch() before using xmlrpc with untrusted peers.' },
  { id: 'B412', name: 'import_httpoxy', cwe: 284, hint: 'Avoid CGI handlers that copy the Proxy request header into HTTP_PROXY (httpoxy); run behind WSGI without CGI.' },
  { id: 'B413', name: 'import_pycrypto', cwe: 327, hint: 'Replace the unmaintained pyCrypto with the cryptography package.' },
  { id: 'B414', name: 'import_pycryptodome', cwe: 327, hint: 'Prefer the cryptography package for new code.' },
  { id: 'B415', name: 'import_pyghmi', cwe: 319, hint: 'IPMI is a cleartext, weakly authenticated protocol; use an encrypted management channel.' },
  { id: 'B501', name: 'request_with_no_cert_validation', cwe: 295, hint: 'Remove verify=False; keep certificate verification on (pass a CA bundle path if needed).' },
  { id: 'B502', name: 'ssl_with_bad_version', cwe: 327, hint: TLS_VERSION_HINT },
  { id: 'B503', name: 'ssl_with_bad_defaults', cwe: 327, hint: TLS_VERSION_HINT },
  { id: 'B504', name: 'ssl_with_no_version', cwe: 327, hint: 'Use ssl.create_default_context() instead of wrap_socket without an explicit secure protocol version.' },
  { id: 'B505', name: 'weak_cryptographic_key', cwe: 326, hint: 'Use RSA/DSA keys of at least 2048 bits (3072 preferred) and EC curves of at least 224 bits.' },
  { id: 'B506', name: 'yaml_load', cwe: 20, hint: 'Use yaml.safe_load (or yaml.load with Loader=yaml.SafeLoader) for untrusted YAML.' },
  { id: 'B507', name: 'ssh_no_host_key_verification', cwe: 295, hint: 'Do not use AutoAddPolicy/WarningPolicy; load known hosts and use RejectPolicy.' },
  { id: 'B508', name: 'snmp_insecure_version', cwe: 319, hint: 'Use SNMPv3 with authentication and privacy instead of SNMPv1/v2c community strings.' },
  { id: 'B509', name: 'snmp_weak_cryptography', cwe: 319, hint: 'Use SNMPv3 with both authKey and privKey (authPriv).' },
  { id: 'B601', name: 'paramiko_calls', cwe: 78, hint: 'Do not pass input into a remote shell command; validate it against an allow-list and quote it with shlex.quote.' },
  { id: 'B602', name: 'subprocess_popen_with_shell_equals_true', cwe: 78, hint: SHELL_HINT },
  { id: 'B603', name: 'subprocess_without_shell_equals_true', cwe: 78, hint: 'Make sure no argument comes from untrusted input without validation (allow-list the program and its options).' },
  { id: 'B604', name: 'any_other_function_with_shell_equals_true', cwe: 78, hint: SHELL_HINT },
  { id: 'B605', name: 'start_process_with_a_shell', cwe: 78, hint: 'Replace os.system/os.popen with subprocess.run([...], shell=False) and validate any argument taken from input.' },
  { id: 'B606', name: 'start_process_with_no_shell', cwe: 78, hint: 'Make sure the program and arguments of os.exec*/os.spawn* are not taken from untrusted input.' },
  { id: 'B607', name: 'start_process_with_partial_path', cwe: 78, hint: 'Start programs by absolute path (e.g. /usr/bin/git) so PATH cannot redirect them.' },
  { id: 'B608', name: 'hardcoded_sql_expressions', cwe: 89, hint: SQL_HINT },
  { id: 'B609', name: 'linux_commands_wildcard_injection', cwe: 78, hint: 'Do not pass shell wildcards to commands like tar/chown/chmod; list the files explicitly and prefix paths with ./ or --.' },
  { id: 'B610', name: 'django_extra_used', cwe: 89, hint: SQL_HINT },
  { id: 'B611', name: 'django_rawsql_used', cwe: 89, hint: SQL_HINT },
  { id: 'B612', name: 'logging_config_insecure_listen', cwe: 94, hint: 'Pass a verify callable to logging.config.listen (or do not expose it) so received configurations are authenticated.' },
  { id: 'B613', name: 'trojansource', cwe: 838, hint: 'Remove bidirectional Unicode control characters from the source.' },
  { id: 'B614', name: 'pytorch_load', cwe: 502, hint: 'Load untrusted model files with torch.load(..., weights_only=True) or a safe format such as safetensors.' },
  { id: 'B615', name: 'huggingface_unsafe_download', cwe: 494, hint: 'Pin downloads to a specific revision (a commit hash) and prefer safetensors weights.' },
  { id: 'B701', name: 'jinja2_autoescape_false', cwe: 94, hint: 'Create the Jinja2 Environment with autoescape=select_autoescape() (or True) so rendered values are escaped.' },
  { id: 'B702', name: 'use_of_mako_templates', cwe: 80, hint: 'Escape values in Mako templates (default_filters=["h"]) or use a templating engine that autoescapes.' },
  { id: 'B703', name: 'django_mark_safe', cwe: 80, hint: XSS_HINT },
  { id: 'B704', name: 'markupsafe_markup_xss', cwe: 79, hint: 'Do not wrap untrusted text in Markup(); use Markup.format or escape() so it is escaped.' },
];

const BY_ID = new Map(BANDIT_TESTS.map((test) => [test.id, test]));

export function banditTest(id: string): BanditTest | undefined {
  return BY_ID.get(id.toUpperCase());
}
