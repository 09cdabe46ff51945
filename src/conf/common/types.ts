/** Model types that network and guest documents share. */

/**
 * <metadata>: kept as the serialized children, exactly as libxml2 dumps
 * them (double quotes, its own namespace handling), one string per child
 * element, each without indentation of its first line. The formatter
 * indents them.
 */
export interface MetadataDef {
  elements: string[];
  /**
   * libxml2's start tag for <metadata> itself when it is not the plain
   * `<metadata>`: libvirt's copy declares there the namespaces its children
   * use from <network> (e.g. `<metadata xmlns:app1="http://foo.org/">`), and
   * keeps any attributes. Absent for a plain `<metadata>`. With no elements
   * it is written with `/>`. See src/conf/common/parse-metadata.ts.
   */
  openTag?: string;
}
