'use strict'
// The publisher of the fan-out bench (ours, in a process of its own): the relay example's
// synthetic media (a moving pattern, a 440 Hz tone) at the size given, VP8 + Opus, capped at
// --bitrate. Signals through the IPC channel (bench/relay/fanout.js routes it to the relay).
// argv: width height fps bitrate
const path = require('node:path')
const { RTCPeerConnection, RTCRtpSender, MediaStream, nonstandard } = require(path.join(__dirname, '..', '..'))
const { startSyntheticMedia } = require(path.join(__dirname, '..', '..', 'examples', 'relay', 'publisher'))

const [width, height, fps, bitrate] = process.argv.slice(2).map(Number)
const send = m => { if (process.connected) process.send(m) }
const pc = new RTCPeerConnection()
const media = startSyntheticMedia(nonstandard, MediaStream, { width, height, fps })
// The source's frame rate (frames pushed by the pattern): what every subscriber should get.
const t0 = performance.now()
let chain = Promise.resolve()
const early = [] // candidates that came before the answer (werift sends them first)
pc.onicecandidate = e => send({ type: 'msg', msg: { type: 'candidate', candidate: e.candidate ? e.candidate.toJSON() : null } })
process.on('message', m => {
  if (m.type === 'msg') {
    chain = chain.then(async () => {
      if (m.msg.type === 'description') {
        await pc.setRemoteDescription(m.msg.description)
        for (const c of early.splice(0)) await pc.addIceCandidate(c)
      } else if (m.msg.type === 'candidate') {
        if (pc.remoteDescription) await pc.addIceCandidate(m.msg.candidate)
        else early.push(m.msg.candidate)
      }
    }).catch(err => console.error('publisher:', err.message))
  } else if (m.type === 'stats') {
    // What the publisher's encoder made of them (a starved publisher encodes fewer than it pushed).
    pc.getStats().then(report => {
      let framesEncoded = null
      for (const r of report.values()) if (r.type === 'outbound-rtp' && r.kind === 'video') framesEncoded = (framesEncoded ?? 0) + (r.framesEncoded ?? 0)
      return framesEncoded
    }, () => null).then(framesEncoded => {
      send({ type: 'stats', state: pc.connectionState, framesPushed: media.framesPushed(), framesEncoded, sourceFps: media.framesPushed() / ((performance.now() - t0) / 1000) })
    })
  } else if (m.type === 'exit') {
    media.stop(); pc.close(); process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))

;(async () => {
  for (const track of media.tracks) {
    const t = pc.addTransceiver(track, {
      direction: 'sendonly',
      streams: [media.stream],
      sendEncodings: track.kind === 'video' ? [{ maxBitrate: bitrate }] : undefined
    })
    if (track.kind === 'video') {
      t.setCodecPreferences(RTCRtpSender.getCapabilities('video').codecs.filter(c => c.mimeType === 'video/VP8'))
      // The publisher keeps its size (the bench measures the relay, not the publisher's adaptation).
      const params = t.sender.getParameters()
      params.degradationPreference = 'maintain-resolution'
      await t.sender.setParameters(params)
    }
  }
  send({ type: 'msg', msg: { type: 'publish' } })
  await pc.setLocalDescription()
  send({ type: 'msg', msg: { type: 'description', description: pc.localDescription.toJSON() } })
})().catch(err => { console.error('publisher:', err); process.exit(1) })
