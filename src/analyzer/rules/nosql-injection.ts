import type { PyNode } from '../ast.js';
import type { CallInfo } from '../model.js';
import { defineRule } from '../rule.js';

const MONGO_METHODS = [
  'find',
  'find_one',
  'find_one_and_delete',
  'find_one_and_replace',
  'find_one_and_update',
  'delete_one',
  'delete_many',
  'update_one',
  'update_many',
  'replace_one',
  'count_documents',
  'count',
  'aggregate',
  'distinct',
  'watch',
];
const DYNAMO_EXPRESSIONS = ['FilterExpression', 'KeyConditionExpression', 'ProjectionExpression', 'ConditionExpression', 'UpdateExpression'];
/** The legacy condition maps (`{attribute: {ComparisonOperator, AttributeValueList}}`): whoever supplies the map picks attributes and operators. */
const DYNAMO_CONDITIONS = ['ScanFilter', 'QueryFilter', 'KeyConditions', 'Expected'];
const DYNAMO_CALLS = ['boto3.client.scan', 'boto3.client.query', 'boto3.client.update_item', 'boto3.client.delete_item', 'boto3.client.put_item', 'boto3.Table.scan', 'boto3.Table.query', 'boto3.Table.update_item', 'boto3.Table.delete_item'];
const OPERATOR_KEYS = new Set(['$where', '$expr', '$function', '$accumulator']);
/** Parsers that turn text into objects (dicts): their result can carry query operators. */
const JSON_PARSERS = /^(json|ujson|orjson|simplejson|rapidjson|bson\.json_util|flask\.json|yaml)\.(loads?|safe_load)$|^flask\.request\.get_json$/;

export default defineRule({
  meta: {
    id: 'py/nosql-injection',
    cwes: [943],
    severity: 'high',
    confidence: 'high',
    message: 'NoSQL query built from untrusted data',
    fixHint:
      "Build the query from fixed keys and cast values to the expected type: coll.find_one({'name': str(name)}); never pass request JSON as the filter or put data in $where. For DynamoDB keep FilterExpression constant and pass values via ExpressionAttributeValues.",
    doc: 'MongoDB filters are objects: a request value that is itself an object such as {"$ne": null} changes the query, and $where runs JavaScript. DynamoDB expressions are strings parsed by the service; data must go in ExpressionAttributeValues, not into the expression text.',
  },
  check(context) {
    const { model } = context;
    /**
     * The value can be an object, not just a string: parsed JSON (`json.loads(...)`,
     * `request.get_json()`, `request.json`), or a part of one. `{'name': {'$ne': None}}`
     * matches every document.
     */
    const mayBeObject = (expr: PyNode | undefined, depth = 0): boolean => {
      if (!expr || depth > 4) return false;
      switch (expr.type) {
        case 'parenthesized_expression':
        case 'await':
          return mayBeObject(expr.namedChildren[0], depth + 1);
        case 'subscript':
          return mayBeObject(expr.child('value'), depth + 1);
        case 'call': {
          const info = model.call(expr);
          if (!info) return false;
          if (info.qnames.some((q) => JSON_PARSERS.test(q)) || info.method === 'get_json') return true;
          // `data.get('filter')` on parsed JSON.
          return info.method === 'get' && !!info.receiver && mayBeObject(info.receiver, depth + 1);
        }
        case 'attribute':
          return model.values(expr).some((v) => /\.(json|json_body)$/.test(v) && /request/i.test(v));
        case 'identifier':
          return model.reaching(expr).some((b) => (b.kind === 'assign' && !b.path.length ? mayBeObject(b.value, depth + 1) : b.kind === 'assign' && mayBeObject(b.value, depth + 1)));
        default:
          return false;
      }
    };
    const checkFilter = (c: CallInfo, filter: PyNode | undefined, depth = 0): boolean => {
      if (!filter || model.isConstant(filter) || depth > 4) return false;
      if (filter.type === 'dictionary') {
        // Fixed keys with plain values: only operator keys that run code, or values that can
        // be objects themselves (parsed JSON), are dangerous.
        for (const pair of filter.namedChildren) {
          if (pair.type !== 'pair') continue;
          const key = model.constString(pair.child('key'));
          const value = pair.child('value');
          if (key === undefined || OPERATOR_KEYS.has(key)) {
            if (context.reportTaint({ node: c.node, value, kind: 'nosql', message: `MongoDB ${key ?? 'query key'} built from {source}` })) return true;
          }
          if (key === undefined && context.reportTaint({ node: c.node, value: pair.child('key'), kind: 'nosql', message: 'MongoDB query key from {source}' })) return true;
          if (key !== undefined && !OPERATOR_KEYS.has(key)) {
            if (value?.type === 'dictionary' ? checkFilter(c, value, depth + 1) : mayBeObject(value) && context.reportTaint({ node: c.node, value, kind: 'nosql', message: `MongoDB query value for ${key} is an object parsed from {source}` })) return true;
          }
        }
        return false;
      }
      return context.reportTaint({ node: c.node, value: filter, kind: 'nosql', message: 'MongoDB query object from {source}' });
    };
    const calls: Record<string, (c: CallInfo) => void> = {};
    for (const m of MONGO_METHODS) calls[`pymongo.collection.Collection.${m}`] = (c) => checkFilter(c, m === 'aggregate' ? c.arg(0, 'pipeline') : m === 'distinct' ? c.arg(1, 'filter') : c.arg(0, 'filter'));
    for (const q of DYNAMO_CALLS)
      calls[q] = (c) => {
        for (const k of DYNAMO_EXPRESSIONS) {
          const expr = c.keywords.get(k);
          if (!expr || model.isConstant(expr)) continue;
          if (context.reportTaint({ node: c.node, value: expr, kind: 'nosql', message: `DynamoDB ${k} built from {source}` })) return;
        }
        for (const k of DYNAMO_CONDITIONS) {
          const map = c.keywords.get(k);
          if (!map || model.isConstant(map)) continue;
          // A map written out with fixed attribute names: only the compared values vary.
          const parts = map.type === 'dictionary' ? map.namedChildren.filter((p) => p.type === 'pair').map((p) => p.child('key')!) : [map];
          for (const part of parts)
            if (!model.isConstant(part) && context.reportTaint({ node: c.node, value: part, kind: 'nosql', message: `DynamoDB ${k} conditions from {source}` })) return;
        }
      };
    return {
      calls,
      call(c) {
        // MongoEngine: `Movie.objects(__raw__=query)` / `Movie.objects.filter(__raw__=query)` run the raw query.
        const raw = c.keywords.get('__raw__');
        if (!raw || !/\bobjects\b/.test(c.callee.text) || model.isConstant(raw)) return;
        checkFilter(c, raw);
      },
    };
  },
});
