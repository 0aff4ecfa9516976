'use strict'
// The publisher and the subscribers of bench/relay-cpu.js, in their own process. Subscribers decode
// (libwebrtc decodes every received picture) and count the pictures their sink sees.
const { RTCPeerConnection, mediaDevices, nonstandard } = require('..')

const video = JSON.parse(process.argv[2])
const pcs = []
const frames = []

function gathered (pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve()
  return new Promise(resolve => pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve() }))
}

let publisher = null
process.on('message', async m => {
  if (m.type === 'publish') {
    publisher = new RTCPeerConnection()
    pcs.push(publisher)
    const stream = await mediaDevices.getUserMedia({ video })
    publisher.addTrack(stream.getVideoTracks()[0], stream)
    await publisher.setLocalDescription()
    await gathered(publisher)
    process.send({ id: m.id, description: publisher.localDescription.toJSON() })
  } else if (m.type === 'answer') {
    await publisher.setRemoteDescription(m.description)
  } else if (m.type === 'subscribe') {
    const pc = new RTCPeerConnection()
    pcs.push(pc)
    const index = frames.length
    frames.push(0)
    pc.ontrack = e => {
      const sink = new nonstandard.RTCVideoSink(e.track)
      sink.onframe = () => { frames[index]++ }
    }
    await pc.setRemoteDescription(m.description)
    await pc.setLocalDescription()
    await gathered(pc)
    process.send({ id: m.id, description: pc.localDescription.toJSON() })
  } else if (m.type === 'frames') {
    process.send({ id: m.id, frames: [...frames] })
  }
})
