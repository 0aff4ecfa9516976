'use strict'
// On a loopback path, DTLS records travel several to a datagram (src-native/runtime/
// datagram_batch.h): fewer system calls per byte, and what a peer on loopback receives. The suite
// runs in a namespace of its own, so the kernel's UDP counters count this process's datagrams.
const assert = require('node:assert/strict')
const fs = require('node:fs')
const { closeAll, once, pair } = require('./helpers/pair')

/** Datagrams sent by UDP over IPv4 and IPv6 in this network namespace so far. */
function udpDatagramsSent () {
  const v4 = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n').filter(l => l.startsWith('Udp:'))
  const sent4 = +v4[1].split(/\s+/)[v4[0].split(/\s+/).indexOf('OutDatagrams')]
  const v6 = /Udp6OutDatagrams\s+(\d+)/.exec(fs.readFileSync('/proc/net/snmp6', 'utf8'))
  return sent4 + (v6 ? +v6[1] : 0)
}

describe('loopback paths: DTLS records share datagrams', () => {
  afterEach(closeAll)

  it('a 4 MiB transfer takes fewer datagrams than its ~3,500 SCTP packets', async () => {
    const { dcA, dcB } = await pair()
    const count = 256
    const size = 16384
    let got = 0
    let bytes = 0
    const done = new Promise(resolve => {
      dcB.onmessage = e => {
        bytes += e.data.byteLength
        if (++got === count) resolve()
      }
    })
    const before = udpDatagramsSent()
    for (let i = 0; i < count; i++) dcA.send(new Uint8Array(size).fill(i & 0xff))
    await done
    const datagrams = udpDatagramsSent() - before
    assert.equal(bytes, count * size)
    // One ~1,200-byte record per datagram: ~3,500 datagrams of data and as many of SACKs (7,182
    // measured without joining; 1,883 with it).
    const records = Math.ceil(count * size / 1200)
    assert.ok(datagrams < records, `${datagrams} datagrams for ${records}+ records`)
  })

  it('the path is loopback and the channel still closes cleanly after a burst', async () => {
    const { a, dcA, dcB } = await pair()
    const pairInUse = a.sctp.transport.iceTransport.getSelectedCandidatePair()
    assert.match(pairInUse.local.address, /^(127\.0\.0\.1|::1)$/)
    let got = 0
    dcB.onmessage = () => { got++ }
    for (let i = 0; i < 500; i++) dcA.send(new Uint8Array(4096))
    dcA.close()
    await once(dcB, 'close')
    assert.equal(got, 500)
  })
})
