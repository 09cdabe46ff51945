/**
 * Vite's configuration for the web console: the app in web/ is built into
 * dist/console (or $VIRTNET_CONSOLE_OUT), which virtnetd serves at `/`
 * (src/api/console-static.ts). React, PatternFly and the topology view land
 * in separate chunks, and each page is loaded on first use (React.lazy), so
 * the first paint needs only the shell and the networks page.
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import type { PreRenderedChunk } from 'rollup';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('.', import.meta.url));

/**
 * PatternFly's barrel imports (`import { Button } from '@patternfly/react-core'`)
 * pull every component's stylesheet into the bundle, used or not: the CSS
 * files are side effects, so tree-shaking keeps them. PatternFly publishes
 * each export's own module (dist/dynamic-modules.json); this plugin rewrites
 * the console's imports to those modules, so only the styles of the
 * components in use are bundled, and with the chunk that uses them.
 */
function patternflyDeepImports(): Plugin {
  const require = createRequire(import.meta.url);
  const maps = new Map<string, Record<string, string>>();
  for (const pkg of ['@patternfly/react-core', '@patternfly/react-table']) {
    const root = dirname(require.resolve(`${pkg}/package.json`));
    const names = JSON.parse(readFileSync(join(root, 'dist/dynamic-modules.json'), 'utf8')) as Record<string, string>;
    const modules: Record<string, string> = {};
    for (const [name, dir] of Object.entries(names)) {
      const meta = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { module: string };
      modules[name] = join(root, dir, meta.module);
    }
    maps.set(pkg, modules);
  }
  const IMPORT = /import\s*\{([^}]*)\}\s*from\s*['"](@patternfly\/react-(?:core|table))['"];?/g;
  return {
    name: 'patternfly-deep-imports',
    enforce: 'pre',
    transform(code, id) {
      if (!id.startsWith(webDir) || !/\.tsx?$/.test(id) || !code.includes('@patternfly/react-')) return undefined;
      const out = code.replace(IMPORT, (whole, specs: string, pkg: string) => {
        const modules = maps.get(pkg) ?? {};
        const byFile = new Map<string, string[]>();
        const rest: string[] = [];
        for (const raw of specs
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)) {
          if (raw.startsWith('type ')) continue;
          const name = raw.split(/\s+as\s+/)[0] ?? raw;
          const file = modules[name];
          if (file) byFile.set(file, [...(byFile.get(file) ?? []), raw]);
          else rest.push(raw);
        }
        const lines = [...byFile].map(([file, names]) => `import { ${names.join(', ')} } from ${JSON.stringify(file)};`);
        if (rest.length) lines.push(`import { ${rest.join(', ')} } from '${pkg}';`);
        return lines.join('\n') || whole;
      });
      return out === code ? undefined : { code: out, map: null };
    },
  };
}

/** React and i18next get chunks of their own (they change rarely); PatternFly's modules go with the pages that use them. */
function vendorChunk(id: string): string | undefined {
  if (!id.includes('node_modules')) return undefined;
  if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
  if (/node_modules\/(i18next|react-i18next)\//.test(id)) return 'i18n';
  return undefined;
}

/**
 * A lazily loaded module's chunk is named after that module (Console, TopologyPage), also when a
 * small shared module was merged into it (Rollup would name it after the small one).
 */
function pageChunkNames(): { plugin: Plugin; name: (chunk: PreRenderedChunk) => string } {
  const lazy = new Set<string>();
  return {
    plugin: {
      name: 'page-chunk-names',
      moduleParsed(info) {
        for (const id of info.dynamicallyImportedIds) lazy.add(id);
      },
    },
    name(chunk) {
      const page = chunk.isDynamicEntry ? (chunk.facadeModuleId ?? chunk.moduleIds.find((id) => lazy.has(id))) : undefined;
      return `assets/${page ? basename(page).replace(/\.[jt]sx?$/, '') : '[name]'}-[hash].js`;
    },
  };
}
const pageChunks = pageChunkNames();

export default defineConfig({
  root: webDir,
  base: '/',
  plugins: [patternflyDeepImports(), react(), pageChunks.plugin],
  logLevel: 'warn',
  build: {
    outDir: process.env['VIRTNET_CONSOLE_OUT'] ?? fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        manualChunks: vendorChunk,
        // A script of a few hundred bytes compresses to more than half its size and costs a request
        // of its own: a small module shared by pages (model/traffic.ts, state/ovn-hosts.ts) is merged
        // into a chunk that is always loaded before it (the shell's or the console's) instead.
        experimentalMinChunkSize: 2048,
        chunkFileNames: pageChunks.name,
      },
    },
  },
});
