'use strict';
// The floor of issue 17's CLI call: what any Node.js client must do at least for `virtnet -q net-dumpxml
// NAME`, with nothing else: open virtnetd's unix socket from $VIRTNET_DEFAULT_URI, ask for the network's
// XML in one request (the CLI's own call since the version probe rides on it: bin/virtnet checks the
// x-virtnetd header of the answer as well), print the XML to stdout. Not a CLI: a yardstick for
// bench/cli-cpu.py (`python3 bench/cli-cpu.py . bench/cli-floor.cjs`).
const net = require('node:net');
const socket = net.connect(process.env.VIRTNET_DEFAULT_URI.slice('unix://'.length));
const name = encodeURIComponent(process.argv[process.argv.length - 1]);
let buffered = Buffer.alloc(0);
socket.on('data', (data) => {
  buffered = Buffer.concat([buffered, data]);
  const head = buffered.indexOf('\r\n\r\n');
  if (head < 0) return;
  const headers = buffered.subarray(0, head).toString();
  const length = Number(/content-length: *(\d+)/i.exec(headers)[1]);
  if (buffered.length < head + 4 + length) return;
  if (!/^x-virtnetd:/im.test(headers)) throw new Error('not virtnetd');
  process.stdout.write(JSON.parse(buffered.subarray(head + 4, head + 4 + length).toString()).xml);
  socket.end();
  process.exit(0);
});
socket.write(`GET /api/networks/${name}/xml HTTP/1.1\r\nHost: localhost\r\n\r\n`);
