'use strict'
// The relay process of the fan-out bench: one stack, one publisher, N subscribers, signaling
// over the IPC channel (bench/relay/fanout.js routes it). argv: stack
//   ours, wrtc  the relay example's Relay (examples/relay/relay.js): the standard API, a remote
//               track given to addTrack on each subscriber's connection (both re-encode today)
//   werift      RTP forwarding in TypeScript: each received RTP packet sent on every subscriber's
//               sender (werift's own sendRtp), PLI upstream when a subscriber joins
//   ndc         node-datachannel's Track API: received RTP packets sent on each subscriber's
//               track, SSRCs and payload types kept (the subscribers' offers announce them)
const path = require('node:path')
const { peers } = require('../lib/peers')

const stack = process.argv[2]
const send = m => { if (process.connected) process.send(m) }
const participants = new Map()
let relay = null

function standardRelay () {
  const { Relay } = require(path.join(__dirname, '..', '..', 'examples', 'relay', 'relay'))
  const RTCPeerConnection = peers[stack].load()
  return new Relay({ RTCPeerConnection, configuration: peers[stack].config, log: line => process.stderr.write(`relay: ${line}\n`) })
}

function makeRelay () {
  if (stack === 'ours' || stack === 'wrtc') return standardRelay()
  if (stack === 'werift') return require('./relay-werift').create()
  if (stack === 'ndc') return require('./relay-ndc').create()
  throw new Error(`unknown stack ${stack}`)
}

process.on('message', m => {
  if (m.type === 'msg') {
    let p = participants.get(m.id)
    if (!p) {
      p = relay.join(msg => send({ type: 'msg', id: m.id, msg }))
      participants.set(m.id, p)
    }
    p.handle(m.msg)
  } else if (m.type === 'exit') {
    process.exit(0)
  }
})
process.on('disconnect', () => process.exit(0))
relay = makeRelay()
send({ type: 'ready', pid: process.pid })
