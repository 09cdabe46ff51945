// What dist/virtnetd.js has in place of the `yaml` package, which @fastify/swagger requires at load
// but only calls for a YAML document: virtnetd serves its OpenAPI document as JSON only, and the
// library's code would stay in the daemon's heap for nothing (bench/README.md, "Issue 17";
// the alias is in node-bundle.mjs).
'use strict';
const absent = () => {
  throw new Error('virtnetd serves its OpenAPI document as JSON only');
};
module.exports = { parse: absent, stringify: absent };
