// The reference: sockjs-node (npm `sockjs`) serving the sockjs-protocol "echo" service, as
// its own test server does. Usage: node ref-echo-server.mjs [port]
// Prints "listening on 127.0.0.1:PORT" when ready.
import http from 'node:http';

import sockjs from 'sockjs';

const port = Number(process.argv[2] ?? 0);
const echo = sockjs.createServer({
  prefix: '/echo',
  response_limit: 4096, // the same limit as parley's /echo test service
  log: () => {},
});
echo.on('connection', (conn) => {
  conn.on('data', (message) => conn.write(message));
});

const server = http.createServer();
echo.installHandlers(server);
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
