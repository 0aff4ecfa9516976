'use strict'
// Opens synthetic tracks and leaves them live. Modes: 'return' (the script just ends), 'exit'
// (process.exit() while frames flow), 'worker' (a Worker does the same and is left to end).
const { Worker, isMainThread, parentPort } = require('node:worker_threads')
const { mediaDevices, nonstandard } = require('../..')

async function open () {
  const a = await mediaDevices.getUserMedia({ audio: true, video: true })
  const b = await mediaDevices.getUserMedia({ audio: { channelCount: 2 }, video: { width: 1280, frameRate: 60 } })
  // Sinks too: frames and samples keep crossing to JS until the end.
  const video = new nonstandard.RTCVideoSink(a.getVideoTracks()[0])
  video.onframe = () => {}
  const audio = new nonstandard.RTCAudioSink(b.getAudioTracks()[0])
  audio.ondata = () => {}
  return [...a.getTracks(), ...b.getTracks()]
}

const mode = process.argv[2] ?? 'return'
if (!isMainThread) {
  open().then(tracks => parentPort.postMessage(tracks.length))
} else if (mode === 'worker') {
  const w = new Worker(__filename, { argv: ['inner'] })
  w.once('message', n => {
    console.log('worker tracks', n)
    w.once('exit', () => console.log('worker done'))
    w.terminate()
  })
} else {
  open().then(tracks => {
    console.log('tracks live:', nonstandard.liveObjects().mediaStreamTracks, tracks.length)
    if (mode === 'exit') setTimeout(() => process.exit(0), 100)
  })
}
