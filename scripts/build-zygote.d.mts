/** Compile src/host/zygote/zygote.c into `outfile`; why not, when the C compiler failed or is missing. */
export function buildZygote(outfile: string): { built: true } | { built: false; why: string };
