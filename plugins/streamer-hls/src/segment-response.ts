import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { sendFileRange, socketDescriptor } from '@flowcast/core';

/**
 * A segment's body after its response head: with sendfile(2) once the head has reached the
 * kernel (the kernel copies the file's pages to the socket: no read into the process, no buffer
 * per player), as archive-http sends recordings; through a read stream when the socket has no
 * descriptor. Resolves when it is sent, or the player left (its connection is then destroyed).
 */
export async function sendSegmentBody(response: ServerResponse, file: FileHandle, size: number): Promise<void> {
  const socket = response.socket;
  if (!socket || socketDescriptor(socket) === undefined || size === 0) {
    await new Promise<void>((resolve) => {
      file
        .createReadStream({ autoClose: false })
        .on('error', () => {
          response.destroy();
          resolve();
        })
        .on('end', resolve)
        .pipe(response);
    });
    return;
  }
  response.flushHeaders();
  try {
    while (socket.writableLength > 0 && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
    await sendFileRange(socket, file, 0, size);
    response.end();
  } catch {
    // The player went away (or hlssink2 cut the file short): the connection cannot carry on.
    socket.destroy();
  }
}
