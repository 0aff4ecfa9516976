'use strict'
// test/media/transform.test.js: a generator and a processor made inside a Worker.
const { parentPort } = require('node:worker_threads')
const { VideoFrame, VideoTrackGenerator, MediaStreamTrackProcessor } = require('../..')

async function main () {
  const gen = new VideoTrackGenerator()
  const reader = new MediaStreamTrackProcessor({ track: gen.track }).readable.getReader()
  const data = new Uint8Array(32 * 32 * 3 / 2)
  data.fill(81, 0, 1024); data.fill(90, 1024, 1280); data.fill(240, 1280)
  await gen.writable.getWriter().write(new VideoFrame(data, { format: 'I420', codedWidth: 32, codedHeight: 32, timestamp: 777 }))
  const { value } = await reader.read()
  const buf = new Uint8Array(value.allocationSize())
  const layout = await value.copyTo(buf)
  const yuv = layout.map(p => buf[p.offset])
  const out = { width: value.codedWidth, height: value.codedHeight, timestamp: value.timestamp, yuv }
  value.close()
  gen.track.stop()
  out.done = (await reader.read()).done
  parentPort.postMessage(out)
}
main().catch(err => { parentPort.postMessage({ error: String(err && err.stack) }) })
