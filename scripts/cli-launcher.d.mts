/** The #! line for a launcher run by the node at `nodePath`, and why it is the env fallback when it is. */
export function interpreterLine(nodePath: string): { line: string; fallback?: string };
/** Write `target` (bin/virtnet): `source` (bin/virtnet.cjs) behind the #! line for `nodePath`, executable. */
export function writeCliLauncher(source: string, target: string, nodePath?: string): { line: string; fallback?: string };
