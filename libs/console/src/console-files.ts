import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the built console is (Vite's output, dist/console): beside the compiled API (dist/libs/console/src →
 * dist/console) or, when the API runs from sources (tests), under the repository's dist/. Null when not built.
 */
export function consoleDirectory(candidates = [join(__dirname, '..', '..', '..', 'console'), join(__dirname, '..', '..', '..', 'dist', 'console')]): string | null {
  return candidates.find((candidate) => existsSync(join(candidate, 'index.html'))) ?? null;
}

/** The content type of a built asset, by its extension (Vite emits only these). */
export const ASSET_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  png: 'image/png',
  ico: 'image/x-icon',
};
