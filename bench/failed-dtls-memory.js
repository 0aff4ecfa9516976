'use strict'
// RSS growth per pair of connections whose DTLS handshake fails (fingerprint mismatch) against
// pairs that connect, and how many stay in libwebrtc after close (should be none).
// node --expose-gc bench/failed-dtls-memory.js bad|good N
const { RTCPeerConnection, nonstandard } = require('..')
const tamper = sdp => sdp.replace(/^(a=fingerprint:\S+ )([0-9A-F]{2})/gim, (m, h, b) => h + ((parseInt(b, 16) ^ 1).toString(16).toUpperCase().padStart(2, '0')))
const delay = ms => new Promise(r => setTimeout(r, ms))
async function pair (bad) {
  const a = new RTCPeerConnection(), b = new RTCPeerConnection()
  a.onicecandidate = e => b.signalingState !== 'closed' && b.addIceCandidate(e.candidate).catch(() => {})
  b.onicecandidate = e => a.signalingState !== 'closed' && a.addIceCandidate(e.candidate).catch(() => {})
  a.createDataChannel('x')
  await a.setLocalDescription(); await b.setRemoteDescription(a.localDescription); await b.setLocalDescription()
  await a.setRemoteDescription({ type: 'answer', sdp: bad ? tamper(b.localDescription.sdp) : b.localDescription.sdp })
  const done = () => bad ? (a.connectionState === 'failed') : (a.sctp.state === 'connected' && b.sctp && b.sctp.state === 'connected')
  for (let i = 0; i < 400 && !done(); i++) await delay(10)
  a.close(); b.close()
}
const rss = () => +(process.memoryUsage().rss / 1048576).toFixed(1)
;(async () => {
  const bad = process.argv[2] === 'bad', n = +process.argv[3]
  for (let i = 0; i < 100; i++) await pair(bad)
  await delay(500); global.gc && global.gc()
  const r0 = rss(), l0 = nonstandard.liveObjects().libwebrtcPeerConnections
  for (let i = 0; i < n; i++) await pair(bad)
  await delay(1000); global.gc && global.gc()
  const r1 = rss(), l1 = nonstandard.liveObjects().libwebrtcPeerConnections
  console.log(JSON.stringify({ bad, n, rssBefore: r0, rssAfter: r1, perPairKiB: +((r1 - r0) * 1024 / n).toFixed(1), libwebrtcBefore: l0, libwebrtcAfter: l1 }))
  process.exit(0)
})()
