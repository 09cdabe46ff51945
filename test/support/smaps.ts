import { readFileSync } from 'node:fs';

/** The files whose mappings in process `pid` carry the kernel's random-read advice (rr in /proc/PID/smaps' VmFlags). */
export function randomReadFiles(pid: number | 'self'): Set<string> {
  const files = new Set<string>();
  let file = '';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s+(.*)$/.exec(line);
    if (head) file = head[1] ?? '';
    else if (line.startsWith('VmFlags:') && line.split(' ').includes('rr')) files.add(file);
  }
  return files;
}
