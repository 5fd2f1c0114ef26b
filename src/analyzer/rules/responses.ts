// What sends data back to a web client: response constructors and the functions whose
// return value becomes the response. Shared by the information-exposure rules. Not a rule.
import type { FunctionInfo, ModuleModel } from '../model.js';

/** Constructors and helpers whose arguments become the body of an HTTP response. */
export const RESPONSE_CALLS = [
  'flask.Response',
  'flask.make_response',
  'flask.jsonify',
  'flask.abort',
  'flask.render_template',
  'flask.render_template_string',
  'werkzeug.exceptions.abort',
  'django.http.HttpResponse',
  'django.http.JsonResponse',
  'django.http.HttpResponseBadRequest',
  'django.http.HttpResponseServerError',
  'django.http.HttpResponseNotFound',
  'django.http.HttpResponseForbidden',
  'django.shortcuts.render',
  'fastapi.HTTPException',
  'fastapi.responses.JSONResponse',
  'fastapi.responses.HTMLResponse',
  'fastapi.responses.PlainTextResponse',
  'fastapi.responses.Response',
  'starlette.exceptions.HTTPException',
  'rest_framework.response.Response',
  'bottle.HTTPResponse',
  'bottle.abort',
  'tornado.web.HTTPError',
  'aiohttp.web.Response',
  'aiohttp.web.json_response',
];

const RESPONSE_SET = new Set(RESPONSE_CALLS);

/** True when one of a call's names builds an HTTP response. */
export function isResponseCall(names: readonly string[]): boolean {
  return names.some((q) => RESPONSE_SET.has(q));
}

/** Functions whose return value is sent to the client: routes, views and error handlers. */
export function servesResponses(model: ModuleModel, fn: FunctionInfo | undefined): boolean {
  if (!fn) return false;
  if (fn.route) return true;
  return fn.decorators.some((d) => {
    const callee = d.type === 'call' ? d.child('function') : d;
    const name = callee?.type === 'attribute' ? callee.child('attribute')?.text : callee?.text;
    return name === 'errorhandler' || name === 'exception_handler' || name === 'app_errorhandler' || (name !== undefined && /^(api_view|action)$/.test(name) && model.importsModule('rest_framework'));
  });
}

