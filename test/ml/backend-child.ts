// Child process of native.test.ts: initialise the backend as a training process would (the
// environment decides) and print backendInfo() as JSON; the log line goes to stderr.
import { backendInfo, initBackend } from '../../ml/backend.ts';

await initBackend();
process.stdout.write(`${JSON.stringify(backendInfo())}\n`);
