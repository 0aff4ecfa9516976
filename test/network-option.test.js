'use strict'
// The non-standard `network` configuration member (docs/nonstandard.md, "Network interfaces"). The suite runs in
// a namespace whose only interface is loopback (`lo`, 127.0.0.1 and ::1).
const assert = require('node:assert/strict')
const { RTCPeerConnection } = require('..')
const { makePc, closeAll, once, pair, throwsWith } = require('./helpers/pair')

async function gather (config) {
  const pc = makePc(config)
  pc.createDataChannel('x')
  const candidates = []
  pc.onicecandidate = e => { if (e.candidate && e.candidate.candidate) candidates.push(e.candidate) }
  const complete = once(pc, 'icegatheringstatechange', () => pc.iceGatheringState === 'complete')
  await pc.setLocalDescription()
  await complete
  return candidates
}

describe('configuration: network (non-standard)', () => {
  afterEach(closeAll)

  it('by default uses loopback when it is the only interface', async () => {
    const cands = await gather()
    assert.ok(cands.length > 0)
    assert.ok(cands.every(c => ['127.0.0.1', '::1'].includes(c.address)), cands.map(c => c.address).join())
  })

  it('minPort/maxPort: every host candidate takes a port in the range', async () => {
    const cands = await gather({ network: { minPort: 41000, maxPort: 41009 } })
    assert.ok(cands.length > 0)
    assert.ok(cands.every(c => c.port >= 41000 && c.port <= 41009), cands.map(c => c.port).join())
  })

  it('minPort/maxPort: a pair connects inside the range', async () => {
    const { a, b, dcA, dcB } = await pair({ config: { network: { minPort: 41010, maxPort: 41030 } } })
    const got = once(dcB, 'message')
    dcA.send('in range')
    assert.equal((await got).data, 'in range')
    for (const pc of [a, b]) {
      const local = pc.sctp.transport.iceTransport.getSelectedCandidatePair().local
      assert.ok(local.port >= 41010 && local.port <= 41030, String(local.port))
    }
  })

  it('minPort or maxPort alone bounds the range on that side', async () => {
    const low = await gather({ network: { minPort: 60000 } })
    assert.ok(low.length > 0 && low.every(c => c.port >= 60000), low.map(c => c.port).join())
    const high = await gather({ network: { maxPort: 1500 } })
    assert.ok(high.length > 0 && high.every(c => c.port >= 1 && c.port <= 1500), high.map(c => c.port).join())
  })

  it('rejects a minPort above maxPort, ports out of range and a network that is not a dictionary with TypeError', () => {
    for (const network of [{ minPort: 5000, maxPort: 4000 }, { minPort: 70000 }, { maxPort: -1 }, 'lo']) {
      throwsWith(() => new RTCPeerConnection({ network }), 'TypeError')
      throwsWith(() => makePc().setConfiguration({ network }), 'TypeError')
    }
  })

  it("loopback: 'exclude', or excluding or not listing lo, leaves no candidate here", async () => {
    for (const network of [{ loopback: 'exclude' }, { excludeInterfaces: ['lo'] }, { interfaces: ['eth-none'] }]) {
      assert.deepEqual(await gather({ network }), [], JSON.stringify(network))
    }
  })

  it("interfaces: ['lo'] and loopback: 'include' gather on loopback", async () => {
    for (const network of [{ interfaces: ['lo'] }, { loopback: 'include' }]) {
      const cands = await gather({ network })
      assert.ok(cands.length > 0, JSON.stringify(network))
    }
  })
})
