'use strict'
// test/media/transform.test.js: a process that ends while a VideoTrackGenerator and a
// MediaStreamTrackGenerator feed a connection and processors read both ends.
//   node transform-exit.js exit|return
const { RTCPeerConnection, VideoFrame, AudioData, VideoTrackGenerator, MediaStreamTrackGenerator, MediaStreamTrackProcessor } = require('../..')

async function main (mode) {
  const a = new RTCPeerConnection(); const b = new RTCPeerConnection()
  a.onicecandidate = e => b.addIceCandidate(e.candidate).catch(() => {})
  b.onicecandidate = e => a.addIceCandidate(e.candidate).catch(() => {})
  const video = new VideoTrackGenerator()
  const audio = new MediaStreamTrackGenerator({ kind: 'audio' })
  a.addTrack(video.track); a.addTrack(audio)
  const vw = video.writable.getWriter(); const aw = audio.writable.getWriter()
  let t = 0
  const feed = setInterval(() => {
    t += 20000
    vw.write(new VideoFrame(new Uint8Array(320 * 240 * 3 / 2).fill(100), { format: 'I420', codedWidth: 320, codedHeight: 240, timestamp: t })).catch(() => {})
    aw.write(new AudioData({ format: 's16', sampleRate: 48000, numberOfFrames: 960, numberOfChannels: 1, timestamp: t, data: new Int16Array(960) })).catch(() => {})
  }, 20)
  const readers = []
  for (const track of [video.track, audio]) readers.push(new MediaStreamTrackProcessor({ track }).readable.getReader())
  b.ontrack = e => readers.push(new MediaStreamTrackProcessor({ track: e.track }).readable.getReader())
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription)
  await b.setLocalDescription(); await a.setRemoteDescription(b.localDescription)
  let frames = 0
  const pump = async r => { for (;;) { const { value, done } = await r.read(); if (done) return; frames++; value.close() } }
  const start = Date.now()
  while (Date.now() - start < 15000 && readers.length < 4) await new Promise(resolve => setTimeout(resolve, 50))
  for (const r of readers) pump(r)
  await new Promise(resolve => setTimeout(resolve, 1000))
  process.stdout.write(`frames ${frames} readers ${readers.length}\n`)
  if (mode === 'exit') process.exit(0)
  clearInterval(feed); a.close(); b.close()
}
main(process.argv[2]).catch(err => { console.error(err); process.exit(1) })
