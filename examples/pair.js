'use strict'
// Two peer connections in one process: negotiate, open a data channel, exchange messages, close.
// Run: npm run example   (inside a loopback-only network namespace)
const { RTCPeerConnection } = require('..')

async function main () {
  const a = new RTCPeerConnection()
  const b = new RTCPeerConnection()
  a.onicecandidate = e => { if (e.candidate) b.addIceCandidate(e.candidate) }
  b.onicecandidate = e => { if (e.candidate) a.addIceCandidate(e.candidate) }

  const started = performance.now()
  const channel = a.createDataChannel('chat')
  const remote = new Promise(resolve => { b.ondatachannel = e => resolve(e.channel) })
  const opened = new Promise(resolve => { channel.onopen = resolve })

  await a.setLocalDescription()
  await b.setRemoteDescription(a.localDescription)
  await b.setLocalDescription()
  await a.setRemoteDescription(b.localDescription)
  await opened
  const theirs = await remote
  console.log(`data channel open in ${(performance.now() - started).toFixed(1)} ms ` +
    `(${a.sctp.transport.iceTransport.getSelectedCandidatePair().local.address} <-> ` +
    `${a.sctp.transport.iceTransport.getSelectedCandidatePair().remote.address})`)

  const reply = new Promise(resolve => { channel.onmessage = e => resolve(e.data) })
  theirs.onmessage = e => theirs.send(`echo: ${e.data}`)
  channel.send('hello libwebrtc')
  console.log('received:', await reply)

  a.close()
  b.close()
  console.log('states after close:', a.connectionState, a.signalingState, channel.readyState)
}

main().catch(err => { console.error(err); process.exit(1) })
