import { registerBrowserBackends } from '@ratlip/runtime/browser';
import { PlaygroundSession } from './worker/playground-session';
import type { WorkerRequest, WorkerResponse } from './worker/protocol';

/** The parts of a dedicated worker's global scope used here (the DOM lib types `self` as a Window). */
interface DedicatedWorkerScope {
  postMessage(message: WorkerResponse, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}

const scope = self as unknown as DedicatedWorkerScope;

registerBrowserBackends();
const session = new PlaygroundSession((response, transfer) => scope.postMessage(response, transfer));
scope.addEventListener('message', (event) => {
  void session.handle(event.data);
});
