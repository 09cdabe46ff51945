/** The argv that runs a Node snippet as the user nobody (setpriv, no supplementary groups): `node -e SCRIPT ARGS…`. */
export function nodeAsNobody(script: string, ...args: string[]): [string, ...string[]] {
  return ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', script, ...args];
}
