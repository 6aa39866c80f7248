// node-hello: a greeting over node's http module; listens on PORT (8080 when run by hand).
const http = require('http');

const port = parseInt(process.env.PORT || '8080', 10);
const name = process.env.NAME || 'world';
const message = `Hello from Node.js, ${name}!`;

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(message) });
  res.end(message);
});

server.listen(port, () => console.log(`node-hello listening on port ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
