// The native parser built at install time (native/parser.c): tree-sitter's C runtime and the
// same Python grammar as the WebAssembly parser, handing a whole tree back in one typed array
// instead of several calls across the JavaScript boundary per node. Optional: when it was not
// built, or SECAGENT_PARSER=wasm, the analyzer uses the WebAssembly parser.
import { createRequire } from 'node:module';

/** The addon's functions (see native/parser.c for the record layout). */
interface NativeBinding {
  parse(code: string): Int32Array;
  setSkipped(table: Uint8Array): void;
  symbols(): Array<[name: string, named: boolean]>;
  fields(): Array<string | null>;
}

/** Ints per node in a dump and their places. */
export const RECORD = 7;
export const SYMBOL = 0;
export const FIELD = 1;
export const START = 2;
export const END = 3;
export const FLAGS = 4;
export const PARENT = 5;
export const LAST = 6;
export const NAMED_FLAG = 1;
export const MISSING_FLAG = 2;

export interface NativeParser {
  /** The tree of `code` as records, without the tokens `skipped` marked. */
  parse(code: string): Int32Array;
  /** Node type names and namedness by symbol id. */
  types: string[];
  named: boolean[];
  /** Field names by field id. */
  fields: Array<string | null>;
}

let loaded: { parser?: NativeParser; why?: string } | undefined;

/** Where the addon is: native/build/Release, two folders above this module in src/ and dist/. */
const ADDON = '../../native/build/Release/secagent_parser.node';

/**
 * The native parser, or undefined with the reason in `nativeParserStatus()`. `skip` says which
 * token types to leave out (decided once per process, by the first caller).
 */
export function nativeParser(skip: (type: string, named: boolean) => boolean): NativeParser | undefined {
  if (!loaded) {
    if (process.env.SECAGENT_PARSER === 'wasm') loaded = { why: 'SECAGENT_PARSER=wasm' };
    else {
      try {
        const binding = createRequire(import.meta.url)(ADDON) as NativeBinding;
        const symbols = binding.symbols();
        const types = symbols.map(([name]) => name);
        const named = symbols.map(([, isNamed]) => isNamed);
        binding.setSkipped(Uint8Array.from(symbols, ([name, isNamed]) => (skip(name, isNamed) ? 1 : 0)));
        loaded = { parser: { parse: (code) => binding.parse(code), types, named, fields: binding.fields() } };
      } catch (error) {
        loaded = { why: error instanceof Error ? error.message.split('\n')[0] : String(error) };
      }
    }
  }
  return loaded.parser;
}

/** Which parser the analyzer uses, and why not the native one. */
export function nativeParserStatus(): { native: boolean; why?: string } {
  return loaded?.parser ? { native: true } : { native: false, why: loaded?.why ?? 'not loaded yet' };
}

/** For tests: forget the loaded addon so the next call decides again (e.g. after setting SECAGENT_PARSER). */
export function resetNativeParser(): void {
  loaded = undefined;
}
