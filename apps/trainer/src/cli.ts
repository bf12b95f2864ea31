import { runCli } from './program';

// A reader that stops early (`ratlip clip tokenize --file big.txt | head`) closes the pipe; that ends the
// output, it is not a failure worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2));
