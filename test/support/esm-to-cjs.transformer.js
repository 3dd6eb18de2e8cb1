// Jest (on Node 20) cannot load ESM-only packages, and NestJS 12 ships only ESM. Node itself loads them
// through require(esm), so the built apps need nothing; this transformer gives jest the same view by
// compiling those packages' files to CommonJS with TypeScript's transpiler (no type-checking, no bundling).
const { createHash } = require('node:crypto');
const ts = require('typescript');

const VERSION = '1';

/** Rewrites what has no CommonJS equivalent after transpiling: import.meta and a module-level `require`. */
function prepare(source) {
  return source
    .replace(/^\s*const require = createRequire\(import\.meta\.url\);?\s*$/gm, '')
    .replace(/createRequire\(import\.meta\.url\)/g, 'require')
    .replace(/import\.meta\.url/g, 'require("node:url").pathToFileURL(__filename).href')
    .replace(/import\.meta\.dirname/g, '__dirname')
    .replace(/import\.meta\.filename/g, '__filename');
}

module.exports = {
  process(source, filename) {
    if (!/^\s*(import|export)\b/m.test(source) && !source.includes('import.meta')) return { code: source };
    const { outputText } = ts.transpileModule(prepare(source), {
      fileName: filename,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        allowJs: true,
        sourceMap: false,
      },
    });
    return { code: outputText };
  },
  getCacheKey(source, filename) {
    return createHash('sha256').update(VERSION).update(ts.version).update(filename).update(source).digest('hex');
  },
};
