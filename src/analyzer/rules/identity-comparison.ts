import { defineRule } from '../rule.js';
import { comparisonOperands, comparisonOperators, plainParams, unparen } from './code-shape.js';

const VALUE_LITERALS = new Set(['string', 'concatenated_string', 'integer', 'float', 'list', 'dictionary', 'set', 'tuple', 'list_comprehension', 'dictionary_comprehension', 'set_comprehension']);
const SINGLETONS = new Set(['none', 'true', 'false', 'ellipsis']);

export default defineRule({
  meta: {
    id: 'py/identity-comparison',
    cwes: [595, 597],
    severity: 'low',
    confidence: 'high',
    message: 'Object identity compared where contents should be',
    fixHint: 'Compare values with == (define __eq__ on your classes, or compare the identifying fields: `a.account_id == b.account_id`); keep `is` for None, True, False and sentinels.',
    doc: '`a is b` asks whether two names refer to the same object, not whether they hold equal values. Two equal strings, numbers or records built separately are usually different objects, so a check written with `is` fails or passes depending on interning and caching details, and a security check based on it can be bypassed or break.',
  },
  check(context) {
    const { model } = context;
    return {
      nodes: {
        comparison_operator(node) {
          const ops = comparisonOperators(node);
          if (ops.length !== 1 || (ops[0] !== 'is' && ops[0] !== 'is not')) return;
          const [a, b] = comparisonOperands(node).map((o) => unparen(o));
          if (!a || !b) return;
          if (SINGLETONS.has(a.type) || SINGLETONS.has(b.type)) return;
          const literal = VALUE_LITERALS.has(a.type) ? a : VALUE_LITERALS.has(b.type) ? b : undefined;
          if (literal) {
            context.report({ node, message: `\`${ops[0]}\` compares identity with the literal ${literal.text.slice(0, 30)}; use ${ops[0] === 'is' ? '==' : '!='}` });
            return;
          }
          // Two arguments of the same function compared by identity: a value comparison meant.
          const fn = model.enclosingFunction(node);
          if (!fn) return;
          const params = new Set(plainParams(fn));
          // Two plain arguments (`a is b`): attribute chains usually compare frames, nodes or
          // other objects whose identity is the point.
          if (a.type !== 'identifier' || b.type !== 'identifier' || a.text === b.text || !params.has(a.text) || !params.has(b.text)) return;
          context.report({
            node,
            confidence: 'low',
            message: `\`${node.text}\` checks whether the two arguments are the same object, not whether they are equal`,
          });
        },
      },
    };
  },
});
