/**
 * Imports an optional peer package at run time. The specifier is a variable and marked ignored, so
 * bundlers (esbuild/tsup, webpack, Vite) neither try to resolve nor inline it: it must not be part of
 * a browser bundle, and it may not be installed at all.
 */
export function importOptional(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}
