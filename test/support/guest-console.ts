/**
 * The report lines a test guest prints on its serial console (NIC, LEASE, ROUTE,
 * LOOKUP, PING, GUEST DONE), in order. The firmware's terminal resets end a line:
 * the guest's first line can follow "Booting from ROM.." with only a reset between.
 */
export function guestReportLines(consoleText: string): string[] {
  return (
    consoleText
      .replace(/\r/g, '')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the terminal sequences replaced here
      .replace(/\x1b(c|\[[0-9;?]*[A-Za-z])/g, '\n')
      .split('\n')
      .filter((l) => /^(NIC|LEASE|NOLEASE|ROUTE|LOOKUP|PING|GUEST DONE)\b/.test(l))
  );
}
