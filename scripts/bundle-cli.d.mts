/** Bundle src/cli/main.ts into `outfile` (CommonJS; see bundle-cli.mjs). */
export function bundleCli(outfile: string, options?: { minify?: boolean }): Promise<void>;
