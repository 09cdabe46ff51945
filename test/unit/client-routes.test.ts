/** The client's paths and ETags (src/client/http-routes.ts, transport.ts), parsed without regular expressions. */
import { describe, expect, it } from 'vitest';
import { ROUTES, routePath } from '../../src/client/http-routes.js';
import { etagValue } from '../../src/client/transport.js';

describe('routePath', () => {
  it('fills each placeholder in order with its value percent-encoded', () => {
    expect(routePath(ROUTES.xml, 'my net/1')).toBe('/api/networks/my%20net%2F1/xml');
    expect(routePath('/a/:name/b/:iface_2/c', 'x', 'y?')).toBe('/a/x/b/y%3F/c');
  });

  it('leaves a placeholder without a value, and a colon not followed by a word character, as they are', () => {
    expect(routePath('/a/:name/b/:uuid', 'x')).toBe('/a/x/b/:uuid');
    expect(routePath('/a/:/b::c/:d-e', '1', '2')).toBe('/a/:/b:1/2-e');
    expect(routePath('/plain')).toBe('/plain');
  });
});

describe('etagValue', () => {
  it('is the tag without its quotes and weak marker', () => {
    expect(etagValue('"abc"')).toBe('abc');
    expect(etagValue('W/"abc"')).toBe('abc');
    expect(etagValue('""')).toBe('');
    expect(etagValue('abc')).toBe('abc');
    expect(etagValue('"abc')).toBe('"abc');
    expect(etagValue('"')).toBe('"');
  });

  it('is nothing for no header or an empty one', () => {
    expect(etagValue(undefined)).toBeUndefined();
    expect(etagValue(null)).toBeUndefined();
    expect(etagValue('')).toBeUndefined();
  });
});
