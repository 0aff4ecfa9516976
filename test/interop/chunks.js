'use strict'
// Bulk data for the interop tests: numbered chunks, sent at the pace of the channel's queue.

/** Chunk `i` of `size` bytes: its index in every byte, so a lost, doubled or reordered chunk shows. */
const chunkOf = (i, size) => Buffer.alloc(size, i & 0xff)

/** Sends chunks 0..count-1 on `channel`, waiting while its queue is over 1 MiB (polled: werift's
 *  channel has its own event for it, not the spec's). */
async function sendChunks (channel, count, size) {
  for (let i = 0; i < count; i++) {
    while (channel.bufferedAmount > 1024 * 1024) await new Promise(resolve => setTimeout(resolve, 2))
    channel.send(chunkOf(i, size))
  }
}

module.exports = { chunkOf, sendChunks }
