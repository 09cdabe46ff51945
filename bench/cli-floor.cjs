'use strict';
// The floor of issue 17's CLI call: what any Node.js client must do for `virtnet -q net-dumpxml NAME`
// (open virtnetd's unix socket from $VIRTNET_DEFAULT_URI, the same three requests: the version probe,
// the lookup, the XML; the XML printed to stdout), with nothing else. Not a CLI: a yardstick for
// bench/cli-cpu.py (`python3 bench/cli-cpu.py . bench/cli-floor.cjs`).
const net = require('node:net');
const socket = net.connect(process.env.VIRTNET_DEFAULT_URI.slice('unix://'.length));
const name = encodeURIComponent(process.argv[process.argv.length - 1]);
let buffered = Buffer.alloc(0);
let answer;
socket.on('data', (data) => {
  buffered = Buffer.concat([buffered, data]);
  const head = buffered.indexOf('\r\n\r\n');
  if (head < 0) return;
  const length = Number(/content-length: *(\d+)/i.exec(buffered.subarray(0, head).toString())[1]);
  if (buffered.length < head + 4 + length) return;
  const body = buffered.subarray(head + 4, head + 4 + length).toString();
  buffered = buffered.subarray(head + 4 + length);
  answer(body);
});
const get = (path) =>
  new Promise((resolve) => {
    answer = resolve;
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  });
(async () => {
  await get('/api/version');
  await get(`/api/networks/${name}`);
  process.stdout.write(JSON.parse(await get(`/api/networks/${name}/xml`)).xml);
  socket.end();
  process.exit(0);
})();
