import type { PyNode } from '../ast.js';
import type { CallInfo, ModuleModel } from '../model.js';
import { defineRule } from '../rule.js';
import { keywordIsTrue } from './helpers.js';
import { targetName } from './value-flow.js';

/** Module-level names that only a Django settings module defines. */
const DJANGO_SETTINGS_NAMES = new Set(['INSTALLED_APPS', 'MIDDLEWARE', 'MIDDLEWARE_CLASSES', 'ROOT_URLCONF', 'DATABASES', 'ALLOWED_HOSTS', 'WSGI_APPLICATION', 'TEMPLATES']);

const FLASK_APP_TYPES = new Set(['flask.Flask', 'flask.current_app', 'quart.Quart']);

function isTrue(model: ModuleModel, node: PyNode | undefined): boolean {
  const v = model.constValue(node);
  return v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && /^(true|1|yes|on)$/i.test(v));
}

/**
 * The receiver is a Flask app, or, in a module that uses Flask, an app object the snippet
 * does not define itself (`from wsgi import app`, a parameter, an undefined name).
 */
function isFlaskApp(model: ModuleModel, receiver: PyNode | undefined): boolean {
  if (!receiver) return false;
  const values = model.values(receiver);
  if (values.some((v) => FLASK_APP_TYPES.has(v))) return true;
  if (!model.importsModule('flask') && !model.importsModule('quart')) return false;
  return values.every((v) => !v.startsWith('$.') || v.endsWith('()'));
}

function moduleLevel(node: PyNode): boolean {
  return node.parent?.type === 'expression_statement' && node.parent.parent?.type === 'module';
}

export default defineRule({
  meta: {
    id: 'py/debug-mode',
    cwes: [489, 215],
    severity: 'high',
    confidence: 'high',
    message: 'Web application runs with debug mode on',
    fixHint:
      "Turn debug mode off outside development: app.run(debug=False) (or read it from the environment, e.g. debug=os.environ.get('FLASK_DEBUG') == '1'), DEBUG = False in Django settings, and never enable the Werkzeug debugger (use_debugger/evalex) on a reachable server.",
    doc: "Debug mode shows stack traces, source lines and configuration to anyone who triggers an error, and the Werkzeug debugger that Flask's debug mode starts lets a visitor run Python code on the server. Keep debug features out of deployed code and switch them on only through local configuration.",
    bandit: ['B201'],
  },
  check(context) {
    const { model } = context;
    const reportAt = (node: PyNode, message?: string): void => context.report({ node, message });
    const calls: Record<string, (c: CallInfo) => void> = {};

    const runWithDebug = (c: CallInfo): void => {
      if (!isTrue(model, c.keywords.get('debug'))) return;
      // `start = app.run; start(debug=True)`: the bound method under another name.
      const flaskRun = c.method === undefined && c.qnames.some((q) => q === 'flask.Flask.run' || q === 'quart.Quart.run');
      if (flaskRun || (c.method === 'run' && isFlaskApp(model, c.receiver))) reportAt(c.node, 'Flask app runs with debug=True: the Werkzeug debugger lets visitors run code and see stack traces');
    };
    calls['*.run'] = runWithDebug;
    calls['flask_socketio.SocketIO.run'] = (c) => {
      if (isTrue(model, c.keywords.get('debug'))) reportAt(c.node, 'Flask-SocketIO server runs with debug=True');
    };
    calls['werkzeug.serving.run_simple'] = (c) => {
      if (keywordIsTrue(model, c, 'use_debugger') || isTrue(model, c.arg(-1, 'use_evalex'))) reportAt(c.node, 'Werkzeug server runs with the interactive debugger on');
    };
    calls['werkzeug.run_simple'] = calls['werkzeug.serving.run_simple'];
    calls['werkzeug.debug.DebuggedApplication'] = (c) => {
      const evalex = c.arg(1, 'evalex');
      if (!evalex || isTrue(model, evalex)) reportAt(c.node, 'Werkzeug DebuggedApplication with evalex lets visitors run Python code');
    };
    for (const q of ['fastapi.FastAPI', 'starlette.applications.Starlette', 'tornado.web.Application', 'sanic.Sanic', 'aiohttp.web.Application'])
      calls[q] = (c) => {
        if (isTrue(model, c.keywords.get('debug'))) reportAt(c.node, 'Web application created with debug=True: errors show stack traces to clients');
      };
    calls['bottle.debug'] = (c) => {
      const mode = c.arg(0, 'mode');
      if (!mode || isTrue(model, mode)) reportAt(c.node, 'Bottle debug mode is on');
    };
    calls['bottle.run'] = (c) => {
      if (isTrue(model, c.keywords.get('debug'))) reportAt(c.node, 'Bottle server runs with debug=True');
    };
    calls['django.conf.settings.configure'] = (c) => {
      if (isTrue(model, c.keywords.get('DEBUG'))) reportAt(c.node, 'Django configured with DEBUG=True');
    };
    // app.config.update(DEBUG=True), app.config.from_mapping(DEBUG=True)
    calls['*.config.update'] = (c) => {
      if (isFlaskApp(model, c.receiver?.child('object')) && isTrue(model, c.keywords.get('DEBUG'))) reportAt(c.node, 'Flask configured with DEBUG=True');
    };
    calls['*.config.from_mapping'] = calls['*.config.update'];

    const isSettingsModule = (): boolean => {
      if (model.importsModule('django')) return true;
      for (const stmt of model.root.namedChildren) {
        const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
        const left = a?.type === 'assignment' ? a.child('left') : undefined;
        if (left?.type === 'identifier' && DJANGO_SETTINGS_NAMES.has(left.text)) return true;
      }
      return false;
    };

    return {
      calls,
      nodes: {
        assignment(node) {
          const left = node.child('left');
          const right = node.child('right');
          if (!left || !right) return;
          // Only DEBUG = ..., x.debug = ... and x['DEBUG'] = ... matter: look at the value after the target.
          const target =
            left.type === 'identifier' ? left.text === 'DEBUG' : left.type === 'attribute' ? left.child('attribute')?.text === 'debug' : left.type === 'subscript' && targetName(model, left) === 'DEBUG';
          if (!target || !isTrue(model, right)) return;
          // Django settings: DEBUG = True at module level.
          if (left.type === 'identifier' && left.text === 'DEBUG' && moduleLevel(node) && isSettingsModule()) return reportAt(node, 'Django settings enable DEBUG: error pages show code, settings and stack traces');
          // app.debug = True
          if (left.type === 'attribute' && left.child('attribute')?.text === 'debug' && isFlaskApp(model, left.child('object'))) return reportAt(node, 'Flask app debug mode switched on');
          // app.config['DEBUG'] = True
          if (left.type === 'subscript' && targetName(model, left) === 'DEBUG') {
            const config = left.child('value');
            if (config?.type === 'attribute' && config.child('attribute')?.text === 'config' && isFlaskApp(model, config.child('object'))) reportAt(node, 'Flask configured with DEBUG=True');
          }
        },
      },
    };
  },
});
