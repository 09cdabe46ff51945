import type { BuildOptions } from 'esbuild';

/** The esbuild options every ESM bundle for Node 20 shares (see node-bundle.mjs). */
export const nodeEsmBundle: BuildOptions;
