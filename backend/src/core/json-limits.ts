export interface JsonLimits {
  maxDepth: number;
  maxNodes: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

/**
 * Why `text` is too deep or too large to parse, naming the limit; null when it is within both. One pass over the
 * characters without allocating, so a hostile body costs microseconds per kilobyte instead of a parse (a body of
 * 400,000 nested arrays used to hold the event loop for a second). Values are counted as containers plus
 * separators, which bounds the number of values the parser would create; string contents are skipped.
 */
export function jsonLimitViolation(text: string, limits: JsonLimits): string | null {
  let depth = 0;
  let nodes = 1;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limits.maxDepth) return `JSON nesting is deeper than the limit of ${limits.maxDepth} levels`;
      if (++nodes > limits.maxNodes) return `JSON holds more than the limit of ${limits.maxNodes} values`;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    } else if (c === COMMA) {
      if (++nodes > limits.maxNodes) return `JSON holds more than the limit of ${limits.maxNodes} values`;
    }
  }
  return null;
}
