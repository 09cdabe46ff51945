type NativeBuild = { built: true } | { built: false; why: string };
/** Compile src/host/zygote/zygote.c into `outfile`; why not, when the C compiler failed or is missing. */
export function buildZygote(outfile: string): NativeBuild;
/** Compile src/host/pageout/pageout.c into `outfile`; why not, when the C compiler failed or is missing. */
export function buildPageout(outfile: string): NativeBuild;
/** include/node beside the bin/ of `nodePath` (the node running the build by default). */
export function nodeHeadersDir(nodePath?: string): string;
/** Compile src/client/unix-request/unix-request.c into `outfile` against Node.js's headers in `headers`; why not, when they or the C compiler are missing. */
export function buildUnixRequest(outfile: string, headers?: string): NativeBuild;
/** Compile src/host/pageout/read-advice.c into `outfile` against Node.js's headers in `headers`; why not, as buildUnixRequest. */
export function buildReadAdvice(outfile: string, headers?: string): NativeBuild;
