'use strict'
// A DTMF detector for the tests: Goertzel filters at the eight DTMF frequencies over 20 ms blocks
// of the first channel. A block is a key when the strongest row and column frequency each hold a
// good share of the block's energy. One such block is a press; the same key again after at most
// five blocks without it is the same press (a block that straddles a tone's edge can miss, and a
// loaded WebAudio tap drops a buffer now and then), so two presses of one key need a gap longer
// than 100 ms between them (insertDTMF's are 2 × interToneGap, at least 60 ms: send other keys).
const ROWS = [697, 770, 852, 941]
const COLS = [1209, 1336, 1477, 1633]
const KEYS = ['123A', '456B', '789C', '*0#D']

/** |X(f)|² of `x` by Goertzel, normalised so that a full-scale sine at f gives its energy share 1. */
function share (x, n, rate, f, energy) {
  const w = 2 * Math.PI * f / rate
  const c = 2 * Math.cos(w)
  let s1 = 0; let s2 = 0
  for (let i = 0; i < n; i++) {
    const s = x[i] + c * s1 - s2
    s2 = s1; s1 = s
  }
  const power = s1 * s1 + s2 * s2 - c * s1 * s2
  return power / (energy * n / 2)
}

/** The key of one block, or '' (silence or anything else). */
function classify (x, n, rate, minRms = 200) {
  let energy = 0
  for (let i = 0; i < n; i++) energy += x[i] * x[i]
  if (Math.sqrt(energy / n) < minRms) return ''
  const best = freqs => {
    const shares = freqs.map(f => share(x, n, rate, f, energy))
    const order = shares.map((s, i) => [s, i]).sort((p, q) => q[0] - p[0])
    return order[0][0] > 0.2 && order[1][0] < order[0][0] / 4 ? order[0][1] : -1
  }
  const r = best(ROWS); const c = best(COLS)
  return r < 0 || c < 0 ? '' : KEYS[r][c]
}

class DtmfDetector {
  constructor () {
    this.heard = ''
    this.blocks = 0
    this.keyBlocks = 0
    this._buf = null
    this._len = 0
    this._rate = 0
    this._last = ''
    this._silent = Infinity
  }

  /** Feeds one RTCAudioSink chunk ({ samples, sampleRate, channelCount, numberOfFrames }). */
  push ({ samples, sampleRate, channelCount, numberOfFrames }) {
    if (this._rate !== sampleRate) {
      this._rate = sampleRate
      this._buf = new Float64Array(Math.round(sampleRate * 0.02))
      this._len = 0
    }
    for (let i = 0; i < numberOfFrames; i++) {
      this._buf[this._len++] = samples[i * channelCount]
      if (this._len === this._buf.length) {
        this._block(classify(this._buf, this._len, sampleRate))
        this._len = 0
      }
    }
  }

  /** Feeds mono float samples (-1..1), e.g. from WebAudio. */
  pushFloat (samples, sampleRate) {
    const pcm = new Int16Array(samples.length)
    for (let i = 0; i < samples.length; i++) pcm[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i] * 32767)))
    this.push({ samples: pcm, sampleRate, channelCount: 1, numberOfFrames: pcm.length })
  }

  _block (key) {
    this.blocks++
    if (key === '') {
      this._silent++
      return
    }
    this.keyBlocks++
    if (key !== this._last || this._silent > 5) this.heard += key
    this._last = key
    this._silent = 0
  }
}

/** A buffer of `ms` of a DTMF key as Int16 PCM (for testing the detector itself). */
function synthesize (key, ms, sampleRate = 48000, amplitude = 8000) {
  const r = KEYS.findIndex(row => row.includes(key))
  const c = KEYS[r].indexOf(key)
  const n = Math.round(sampleRate * ms / 1000)
  const out = new Int16Array(n)
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate
    out[i] = Math.round(amplitude * (Math.sin(2 * Math.PI * ROWS[r] * t) + Math.sin(2 * Math.PI * COLS[c] * t)) / 2)
  }
  return out
}

/**
 * The keys heard are the keys sent, in order, nothing else, every one of them; `missing` keys may
 * be absent (only where the hearing side is not ours: Chromium's WebAudio tap drops a buffer now
 * and then on a loaded machine). Our receiver hears every tone: before, it lost one in about 1
 * call of 10 (the sender's telephone-event/8000 in a 48 kHz stream cut each tone to 27 ms, and
 * NetEq dropped an event whose packets came late; media/dtmf_clock_encoder_factory.h,
 * media/late_dtmf_buffer.h, `node scripts/netns.js node bench/dtmf-heard.js`).
 */
function assertHeardInOrder (heard, sent, what = 'heard', { missing = 0 } = {}) {
  let i = 0
  for (const k of heard) {
    while (i < sent.length && sent[i] !== k) i++
    if (i === sent.length) throw new Error(`${what} ${JSON.stringify(heard)}: not the sent ${JSON.stringify(sent)} in order`)
    i++
  }
  if (heard.length < sent.length - missing) {
    throw new Error(`${what} ${JSON.stringify(heard)}: ${missing === 0 ? 'not every key' : `more than ${missing}`} of ${JSON.stringify(sent)}`)
  }
}

module.exports = { DtmfDetector, synthesize, classify, assertHeardInOrder, ROWS, COLS, KEYS }
