// A worker thread of the analyzer pool (pool.ts): loads the grammar once, says it is ready,
// then analyses the files it is sent, one reply per file. Never imports or runs that code.
import { parentPort } from 'node:worker_threads';
import { analyzeSourceSync, prepareAnalyzer } from './index.js';
import type { WorkerReply, WorkerRequest } from './pool.js';

const port = parentPort;
if (!port) throw new Error('analyzer worker started outside a worker thread');

port.on('message', (request: WorkerRequest) => port.postMessage(analyzeOne(request)));
// A grammar that fails to load rejects here, which ends the worker with that error.
await prepareAnalyzer();
port.postMessage({ ready: true } satisfies WorkerReply);

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
