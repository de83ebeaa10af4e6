// The solver worker in Node (worker_threads, started by node.js).
import { parentPort } from 'node:worker_threads';
import { serve } from './worker-main.js';

serve(
  { post: (message, transfer) => parentPort.postMessage(message, transfer ?? []) },
  (handler) => parentPort.on('message', handler),
);
