type NativeBuild = { built: true } | { built: false; why: string };
/** Compile src/host/zygote/zygote.c into `outfile`; why not, when the C compiler failed or is missing. */
export function buildZygote(outfile: string): NativeBuild;
/** Compile src/host/pageout/pageout.c into `outfile`; why not, when the C compiler failed or is missing. */
export function buildPageout(outfile: string): NativeBuild;
