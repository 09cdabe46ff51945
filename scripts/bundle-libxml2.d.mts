export function bundleLibxml2(outfile: string): Promise<void>;
