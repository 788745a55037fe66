import { collectNodes, funcName, parseExpression, type Node } from '../../input/pg-parser.js';
import { KNOWN_VOLATILE_FUNCTIONS, STABLE_OR_IMMUTABLE_FUNCTIONS, type Volatility } from './volatility.js';

/** Judges a default expression's volatility from its parse tree (see volatility.ts). */
export function expressionVolatility(expr: string): Volatility {
  const tree: Node = parseExpression(expr, `default "${expr}"`);
  for (const call of collectNodes(tree, 'FuncCall')) {
    const name = funcName(call);
    if (KNOWN_VOLATILE_FUNCTIONS.has(name)) return { volatile: true, reason: `${name}() is volatile` };
    if (!STABLE_OR_IMMUTABLE_FUNCTIONS.has(name)) {
      return { volatile: true, reason: `${name}() is not a function liveshift knows to be stable; treated as volatile (set default.volatile: false if it is not)` };
    }
  }
  if (collectNodes(tree, 'SubLink').length) return { volatile: true, reason: 'a subquery default is evaluated per row' };
  return { volatile: false, reason: 'constant or stable expression: evaluated once, stored in the catalog' };
}
