'use strict'
const assert = require('node:assert/strict')
const { RTCSessionDescription } = require('..')

describe('RTCSessionDescription', () => {
  it('reflects type and sdp from the init dictionary', () => {
    const d = new RTCSessionDescription({ type: 'answer', sdp: 'v=0\r\nbogus\r\n' })
    assert.equal(d.type, 'answer')
    assert.equal(d.sdp, 'v=0\r\nbogus\r\n')
  })

  it('defaults sdp to the empty string', () => {
    assert.equal(new RTCSessionDescription({ type: 'offer' }).sdp, '')
    assert.equal(new RTCSessionDescription({ type: 'rollback' }).type, 'rollback')
  })

  it('accepts every RTCSdpType', () => {
    for (const type of ['offer', 'pranswer', 'answer', 'rollback']) {
      assert.equal(new RTCSessionDescription({ type }).type, type)
    }
  })

  it('throws TypeError without a type or with a bogus type', () => {
    assert.throws(() => new RTCSessionDescription(), TypeError)
    assert.throws(() => new RTCSessionDescription({}), TypeError)
    assert.throws(() => new RTCSessionDescription({ sdp: 'v=0' }), TypeError)
    assert.throws(() => new RTCSessionDescription({ type: 'bogus', sdp: 'x' }), TypeError)
  })

  it('has readonly type and sdp (assignment throws in strict mode)', () => {
    const d = new RTCSessionDescription({ type: 'offer', sdp: 'a' })
    assert.throws(() => { d.type = 'answer' }, TypeError)
    assert.throws(() => { d.sdp = 'b' }, TypeError)
    assert.equal(d.type, 'offer')
    assert.equal(d.sdp, 'a')
  })

  it('toJSON() gives exactly {type, sdp}', () => {
    const d = new RTCSessionDescription({ type: 'pranswer', sdp: 'v=0\r\n' })
    const json = d.toJSON()
    assert.deepEqual(Object.keys(json).sort(), ['sdp', 'type'])
    assert.deepEqual(json, { type: 'pranswer', sdp: 'v=0\r\n' })
    assert.deepEqual(JSON.parse(JSON.stringify(d)), { type: 'pranswer', sdp: 'v=0\r\n' })
  })
})
