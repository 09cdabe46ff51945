/**
 * What net-dumpxml and dumpxml share: the options (--inactive, --xpath,
 * --wrap) and the printing of an object's XML, whole or filtered through
 * an XPath expression. libxml2 (../xpath.js) is loaded only when --xpath
 * is given, so the CLI's start-up path stays free of it.
 */
import type { OptDef, ParsedCommand } from '../command.js';
import { CommandAbort, type Shell } from '../shell.js';

/** The options after the object's own: --inactive, --xpath EXPR, --wrap. */
export const XML_DUMP_OPTS: OptDef[] = [
  { name: 'inactive', kind: 'bool', help: 'show inactive defined XML' },
  { name: 'xpath', kind: 'string', named: true, help: 'xpath expression to filter the XML document' },
  { name: 'wrap', kind: 'bool', help: 'wrap xpath results in an common root element' },
];

/**
 * Print the XML `getXml` fetches (the persistent one with --inactive), or
 * the --xpath results of it. An empty --xpath fails without a message
 * (vshCommandOptStringQuiet), before anything is fetched.
 */
export async function printXmlDump(sh: Shell, cmd: ParsedCommand, getXml: (options: { inactive: boolean }) => Promise<string>): Promise<boolean> {
  const xpath = cmd.raw('xpath');
  if (cmd.has('xpath') && !xpath) throw new CommandAbort();
  const xml = await getXml({ inactive: cmd.has('inactive') });
  if (xpath === undefined) {
    sh.print(xml);
    return true;
  }
  const { dumpXPath } = await import('../xpath.js');
  sh.print(await dumpXPath(xml, xpath, cmd.has('wrap')));
  return true;
}
