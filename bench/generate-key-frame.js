// How long generateKeyFrame() takes from the call to its promise (the key frame through the
// sender's transformer), between two of our peers on loopback: 640x480 at 30 fps (VP8), one
// request every 300 ms. Not part of `npm run bench`.
//   node scripts/netns.js node bench/generate-key-frame.js      (env: N=20, SIMULCAST=1: two layers)
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { RTCPeerConnection, RTCRtpScriptTransform, mediaDevices } = require('..')

;(async () => {
  const N = Number(process.env.N || 20)
  const worker = new Worker(path.join(__dirname, '..', 'test', 'media', 'fixtures', 'keyframe-worker.js'))
  let next = 1; const waiting = new Map()
  worker.on('message', m => { if (m.id) { waiting.get(m.id)(m); waiting.delete(m.id) } })
  const ask = (call, rid) => new Promise(resolve => { const id = next++; waiting.set(id, resolve); worker.postMessage({ name: 's', call, rid, id }) })
  const a = new RTCPeerConnection(); const b = new RTCPeerConnection()
  a.onicecandidate = e => b.addIceCandidate(e.candidate).catch(() => {})
  b.onicecandidate = e => a.addIceCandidate(e.candidate).catch(() => {})
  const [track] = (await mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 30 } })).getVideoTracks()
  const simulcast = process.env.SIMULCAST === '1'
  const t = a.addTransceiver(track, simulcast
    ? { direction: 'sendonly', sendEncodings: [{ rid: 'lo', scaleResolutionDownBy: 2 }, { rid: 'hi' }] }
    : { direction: 'sendonly' })
  t.sender.transform = new RTCRtpScriptTransform(worker, { name: 's' })
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription); await b.setLocalDescription()
  let sdp = b.localDescription.sdp
  if (simulcast) sdp = sdp.replace(/(m=video[^]*?)(a=rtcp-fb)/, '$1a=rid:lo recv\r\na=rid:hi recv\r\na=simulcast:recv lo;hi\r\n$2')
  await a.setRemoteDescription({ type: 'answer', sdp })
  await new Promise(resolve => setTimeout(resolve, 1500))
  const ms = []
  const before = await ask('stats')
  for (let i = 0; i < N; i++) {
    const t0 = process.hrtime.bigint()
    const r = await ask('generateKeyFrame', simulcast ? (i % 2 ? 'hi' : 'lo') : undefined)
    if (!r.ok) throw new Error(r.message)
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
    await new Promise(resolve => setTimeout(resolve, 300))
  }
  const after = await ask('stats')
  ms.sort((x, y) => x - y)
  console.log(`generateKeyFrame x${N}${simulcast ? ' (simulcast lo/hi)' : ''}: median ${ms[N >> 1].toFixed(1)} ms, max ${ms[N - 1].toFixed(1)} ms; key frames through the transformer ${after.keys - before.keys} (${N} asked), frames ${after.frames - before.frames}`)
  a.close(); b.close(); track.stop(); await worker.terminate()
})()
