// Entry of the board's Web Worker (see serve.ts): the window starts it with `new Worker(new URL(...))`.
import { serveBoard } from './serve';

const scope = self as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
};

serveBoard({
  post: (message) => scope.postMessage(message),
  onMessage: (listener) => scope.addEventListener('message', (e) => listener(e.data)),
});
