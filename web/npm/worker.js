// The solver worker in browsers (a module worker, started by index.js).
import { serve } from './worker-main.js';

serve(
  { post: (message, transfer) => self.postMessage(message, transfer ?? []) },
  (handler) => self.addEventListener('message', (event) => handler(event.data)),
);
