'use strict'
// The receiving peer connection of child.js's throughput-worker scenario, in a worker thread.
// Signaling with the main thread by postMessage: offer -> answer, candidates both ways.
const { parentPort, workerData } = require('node:worker_threads')
const { peers } = require('./peers')
const { whenOpen } = require('./connect')
const { receive } = require('./flow')

const peer = peers[workerData.peer]
const PC = peer.load()
const b = new PC({ ...peer.config })
const held = []
let ready = false
const add = c => Promise.resolve(b.addIceCandidate(c)).catch(() => {})

b.onicecandidate = e => {
  if (!e.candidate || !e.candidate.candidate) return
  const c = e.candidate
  parentPort.postMessage({ type: 'candidate', candidate: JSON.parse(JSON.stringify(typeof c.toJSON === 'function' ? c.toJSON() : c)) })
}
b.ondatachannel = async e => {
  const dc = await whenOpen(e.channel)
  const got = receive(dc, workerData.count, workerData.deadlineMs)
  parentPort.postMessage({ type: 'open' })
  const r = await got
  parentPort.postMessage({ type: 'done', abs: r.abs, bytes: r.bytes, n: r.n, partial: r.partial })
}

parentPort.on('message', async m => {
  if (m.type === 'offer') {
    await b.setRemoteDescription(m.sdp)
    ready = true
    for (const c of held.splice(0)) add(c)
    const answer = await b.createAnswer()
    await b.setLocalDescription(answer)
    const local = b.localDescription ?? answer
    parentPort.postMessage({ type: 'answer', sdp: { type: local.type, sdp: local.sdp } })
  } else if (m.type === 'candidate') {
    if (ready) add(m.candidate)
    else held.push(m.candidate)
  } else if (m.type === 'close') {
    try { b.close() } catch {}
    parentPort.close()
  }
})
