// Small helpers the tests share: unique scratch paths and waiting for something asynchronous to happen.
import { randomBytes } from 'node:crypto';

/** A fresh absolute path under /tmp that no other test (or earlier run) uses. */
export function scratchPath(label) {
  return `/tmp/envd-e2e-${label}-${randomBytes(6).toString('hex')}`;
}

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function eventually(what, probe, { timeoutMs = 10_000, intervalMs = 25 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }

    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }

    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Reads a web ReadableStream of bytes to the end. */
export async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(Buffer.from(chunk));
  }

  return Buffer.concat(chunks);
}

/** A web ReadableStream that yields `data` in pieces of `chunkSize` bytes, like a file being piped through. */
export function streamOf(data, chunkSize = 64 * 1024) {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) {
        controller.close();
        return;
      }

      controller.enqueue(new Uint8Array(data.subarray(offset, offset + chunkSize)));
      offset += chunkSize;
    },
  });
}
