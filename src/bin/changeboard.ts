import { runCli } from '../cli/main.js';

// Whoever read the output has gone (a closed pipe): there is nobody left to tell, so carry on.
// Left unhandled, EPIPE would end the process mid-work, or hang it in a logger's exit flush.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });

process.exitCode = await runCli(process.argv, process.env);
