import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { Connection, drained, socketDescriptor, type FileSender } from '@flowcast/core';

/**
 * A segment's body after its response head: by core's file sender once the head has reached the
 * kernel (sendfile(2) whenever the socket has room: no read into the process, no buffer per
 * player), as archive-http sends recordings; through a read stream when the socket has no
 * descriptor. Resolves when it is sent, or the player left (its connection is then destroyed).
 */
export async function sendSegmentBody(response: ServerResponse, file: FileHandle, size: number, sender: FileSender): Promise<void> {
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
    await drained(socket);
    if (socket.destroyed) return;
    const sent = await sender.send(Connection.of(socket), file.fd, 0, size).done;
    if (sent.error !== undefined) throw new Error(sent.error);
    response.end();
  } catch {
    // The player went away (or hlssink2 cut the file short): the connection cannot carry on.
    socket.destroy();
  }
}
