// A worker process of the analyzer pool (pool.ts): loads the grammar once, says it is ready,
// then analyses the files it is sent, one reply per file. Never imports or runs that code.
import { analyzeSourceSync, prepareAnalyzer } from './index.js';
import type { WorkerReply, WorkerRequest } from './pool.js';

const send = process.send?.bind(process);
if (!send) throw new Error('analyzer worker started without an IPC channel to the pool');
const reply = (message: WorkerReply): void => void send(message);

process.on('message', (request: WorkerRequest) => reply(analyzeOne(request)));
// The pool went away (finished, aborted or died): nothing more will come.
process.on('disconnect', () => process.exit(0));
// A grammar that fails to load rejects here, which ends the worker with that error.
await prepareAnalyzer();
reply({ ready: true });

function analyzeOne(request: WorkerRequest): WorkerReply {
  try {
    return { index: request.index, result: analyzeSourceSync(request.content, { ...request.options, file: request.path }) };
  } catch (error) {
    return {
      index: request.index,
      error: { name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) },
    };
  }
}
