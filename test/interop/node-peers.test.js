'use strict'
// Interop with the other Node WebRTC stacks (the bench's peers: @roamhq/wrtc, node-datachannel,
// werift, from bench/node_modules, which scripts/setup.sh installs) over loopback in one process,
// both offer directions: what we do only on loopback paths (DTLS records joined into one datagram
// for a dcsctp peer, runtime/datagram_batch.h) must never reach a peer that cannot read it
// (issue 20). Each connection: 20 messages answered one by one, then 4 MiB each way, byte for byte
// and in order. Skipped for a peer that is not installed (`npm ci --prefix bench`).
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { peers } = require('../../bench/lib/peers')
const { whenOpen, trickle } = require('../../bench/lib/connect')
const { chunkOf: chunkOfSize, sendChunks } = require('./chunks')

const MODULES = path.join(__dirname, '..', '..', 'bench', 'node_modules')
const PACKAGES = { wrtc: '@roamhq/wrtc', ndc: 'node-datachannel', werift: 'werift' }
const MESSAGES = 20
const CHUNK = 64 * 1024
const CHUNKS = 64 // 4 MiB

const installed = name => fs.existsSync(path.join(MODULES, PACKAGES[name], 'package.json'))

const chunkOf = i => chunkOfSize(i, CHUNK)
const sendBulk = from => sendChunks(from, CHUNKS, CHUNK)

/** Resolves with the chunks `to` received, once CHUNKS have come (rejects after 20 s). */
function receiveBulk (to) {
  to.binaryType = 'arraybuffer'
  const got = []
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`4 MiB: ${got.length} of ${CHUNKS} chunks in 20 s`)), 20000)
    to.onmessage = e => {
      got.push(Buffer.from(e.data))
      if (got.length === CHUNKS) { clearTimeout(timer); resolve(got) }
    }
  })
}

function checkBulk (got, label) {
  got.forEach((b, i) => assert.ok(b.equals(chunkOf(i)), `${label}: chunk ${i} differs (${b.length} bytes, first ${b[0]})`))
}

async function exchange (offererName, answererName) {
  const Offerer = peers[offererName].load()
  const Answerer = peers[answererName].load()
  const a = new Offerer({ ...peers[offererName].config })
  const b = new Answerer({ ...peers[answererName].config })
  try {
    const toB = trickle(a, b)
    const toA = trickle(b, a)
    const dcA = a.createDataChannel('x')
    const remote = new Promise(resolve => { b.ondatachannel = e => resolve(e.channel) })
    const offer = await a.createOffer()
    await a.setLocalDescription(offer)
    await b.setRemoteDescription(offer)
    toB()
    const answer = await b.createAnswer()
    await b.setLocalDescription(answer)
    await a.setRemoteDescription(answer)
    toA()
    const dcB = await whenOpen(await remote)
    await whenOpen(dcA)

    // Small messages, each answered: the replies come back in order.
    dcB.onmessage = e => dcB.send(String(e.data).replace('ping', 'pong'))
    const replies = []
    const answered = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${replies.length} of ${MESSAGES} replies in 10 s`)), 10000)
      dcA.onmessage = e => { replies.push(e.data); if (replies.length === MESSAGES) { clearTimeout(timer); resolve() } }
    })
    for (let i = 0; i < MESSAGES; i++) dcA.send(`ping ${i}`)
    await answered
    assert.deepEqual(replies, Array.from({ length: MESSAGES }, (_, i) => `pong ${i}`))

    // Bulk each way, one after the other.
    let got = receiveBulk(dcA)
    await sendBulk(dcB)
    checkBulk(await got, `${answererName} → ${offererName}`)
    got = receiveBulk(dcB)
    await sendBulk(dcA)
    checkBulk(await got, `${offererName} → ${answererName}`)
  } finally {
    try { a.close() } catch {}
    try { b.close() } catch {}
  }
}

describe('interop: the other Node WebRTC stacks on loopback (data channels)', function () {
  this.timeout(60000)
  for (const other of Object.keys(PACKAGES)) {
    const maybe = installed(other) ? it : it.skip
    maybe(`${other}: we offer, it answers; 20 replies, 4 MiB each way`, () => exchange('ours', other))
    maybe(`${other}: it offers, we answer; 20 replies, 4 MiB each way`, () => exchange(other, 'ours'))
  }
})
