'use strict'
// Every SCTP packet we send carries a CRC32c that the peer checks (Chromium, usrsctp, aiortc drop
// a packet whose checksum is wrong). Ours runs on the CPU's crc32 instruction in three lanes
// (src-native/shims/crc32c_hw.cc); a slip in joining the lanes would lose packets of some lengths
// only. The native self-check compares it with a bytewise table for every length up to 2,000.
const assert = require('assert')
const { binding } = require('../dist/native')

describe('SCTP checksum', function () {
  it('the fast CRC32c agrees with the bytewise table for every packet length and alignment', function () {
    assert.strictEqual(binding.checkCrc32c(), '')
  })
})
