/**
 * The daemon's errors in the console's language. The daemon gives each
 * error a code and parameters (src/contract/error-codes.ts, the one place
 * they are derived from a VirError); here they are filled into the
 * catalogue of the language shown: English is libvirt's own text (what
 * virsh prints), Spanish is src/contract/error-codes-es.ts. A document that
 * is not well formed gets our own sentence in either language: where
 * (line, column) and what is wrong, never libxml2's or the browser's text.
 */
import { errorCodeOf, errorText, type ErrorTexts, type XmlProblemCode } from '../../../src/contract/error-codes.js';
import { ERRORS_ES, XML_PROBLEMS_ES } from '../../../src/contract/error-codes-es.js';
import { ERROR_PREFIXES, VirError, type ErrorClass } from '../../../src/util/errors.js';
import { currentLanguage } from './index.js';

const XML_PROBLEMS_EN: Record<XmlProblemCode, string> = {
  prematureEnd: 'the document ends before <{tag}> (opened on line {tagLine}) is closed',
  tagMismatch: '<{open}> (line {openLine}) is closed by </{close}>',
  extraContent: 'there is more after the end of the document',
  startTagExpected: "no element here: a document starts with '<'",
  empty: 'the document is empty',
  badElementName: 'the element name is not valid',
  unclosedStartTag: 'the tag <{tag}> (line {tagLine}) does not end',
  attributeQuote: "an attribute's value must be in quotes",
  attributeConstruct: 'an attribute is malformed',
  attributeValue: 'the attribute {attribute} needs a value',
  attributeRedefined: 'the attribute {attribute} is given twice',
  entitySemicolon: "a '&' starts an entity reference that does not end with ';' (write &amp; for '&')",
  entityName: "a '&' is not followed by an entity name (write &amp; for '&')",
  entityUndefined: "the entity '{entity}' is not defined",
  lessThanInAttribute: "'<' is not allowed in an attribute's value (write &lt;)",
  endTag: "a closing tag '</' is missing",
  attributeName: "an attribute's name is not valid",
  comment: 'a comment is not closed',
  notUtf8: 'the text is not valid UTF-8',
  other: '{text}',
};

const TEXTS: Record<'en' | 'es', ErrorTexts> = {
  en: { errors: { 'xml.malformed': 'The XML is not well formed: line {line}, column {column}: {problem}' }, problems: XML_PROBLEMS_EN },
  es: { errors: ERRORS_ES, problems: XML_PROBLEMS_ES },
};

/** An error body as the daemon sends it ({class, detail, …}), as a VirError. */
export function errorOfBody(body: { class: string; detail: string; message: string }): VirError | Error {
  return Object.hasOwn(ERROR_PREFIXES, body.class) ? new VirError(body.class as ErrorClass, body.detail) : new Error(body.message);
}

/** The message to show for any failure, in the console's language. */
export function errorMessage(err: unknown): string {
  if (err instanceof VirError) {
    const described = errorCodeOf(err);
    const lang = currentLanguage();
    if (lang === 'en' && described.code !== 'xml.malformed') return err.message;
    return errorText(described, TEXTS[lang]);
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
