'use strict'
// Deterministic mutation of SDP and ICE candidate strings for the hostile-input fuzz tests.
// Works on any SDP text (data-only today; media sections are mutated the same way).

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine. */
function prng (seed) {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6D2B79F5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = n => Math.floor(next() * n)
  return {
    next,
    int,
    pick: list => list[int(list.length)],
    chance: p => next() < p
  }
}

// Numbers parsers get wrong: zero, signs, 16/32/64-bit edges, overlong, not-a-number.
const EDGE_NUMBERS = ['0', '-1', '1', '65535', '65536', '2147483647', '2147483648', '4294967295', '4294967296',
  '-2147483649', '18446744073709551616', '99999999999999999999999999', '1e9', '0x10', 'NaN', '', '007', '3.5']

// Attribute values that are syntactically plausible but wrong, for lines the parser interprets.
function bogusLine (r) {
  const n = () => r.pick(EDGE_NUMBERS)
  const word = () => r.pick(['', 'x', 'opus', 'VP8', 'H264', 'rtx', '\u00e9\u4e2d', 'a'.repeat(r.int(3000)), '%00', ';;;', '==='])
  const lines = [
    () => `a=rtpmap:${n()} ${word()}/${n()}/${n()}`,
    () => `a=rtpmap:${n()}`,
    () => `a=fmtp:${n()} ${word()}=${n()};apt=${n()};profile-level-id=${word()}`,
    () => `a=fmtp:${n()}`,
    () => `a=rtcp-fb:${n()} ${word()} ${word()}`,
    () => `a=ssrc:${n()} cname:${word()}`,
    () => `a=ssrc:${n()} msid:${word()} ${word()}`,
    () => `a=ssrc-group:${r.pick(['FID', 'SIM', 'FEC-FR', word()])} ${n()} ${n()} ${n()}`,
    () => `a=candidate:${word()} ${n()} ${r.pick(['udp', 'tcp', 'ssltcp', word()])} ${n()} ${r.pick(['127.0.0.1', '::1', '::', '300.1.1.1', 'x.local', word()])} ${n()} typ ${r.pick(['host', 'srflx', 'relay', 'prflx', word()])}`,
    () => `a=candidate:${word()}`,
    () => `a=extmap:${n()} ${word()}`,
    () => `a=extmap:${n()}/${word()} urn:ietf:params:rtp-hdrext:sdes:mid`,
    () => `a=mid:${word()}`,
    () => `a=group:BUNDLE ${word()} ${word()} 0 0 0`,
    () => `a=msid:${word()} ${word()}`,
    () => `a=setup:${r.pick(['active', 'passive', 'actpass', 'holdconn', word()])}`,
    () => `a=fingerprint:${r.pick(['sha-256', 'sha-1', 'sha-512', 'md5', word()])} ${word()}`,
    () => `a=fingerprint:sha-256 ${Array.from({ length: r.int(70) }, () => r.int(256).toString(16).padStart(2, '0')).join(':')}`,
    () => `a=ice-ufrag:${word()}`,
    () => `a=ice-pwd:${word()}`,
    () => `a=ice-options:${word()}`,
    () => `a=sctp-port:${n()}`,
    () => `a=sctpmap:${n()} webrtc-datachannel ${n()}`,
    () => `a=max-message-size:${n()}`,
    () => `a=rid:${word()} ${r.pick(['send', 'recv', word()])} pt=${n()}`,
    () => `a=simulcast:send ${word()};${word()}`,
    () => `a=crypto:${n()} AES_CM_128_HMAC_SHA1_80 inline:${word()}`,
    () => `a=rtcp:${n()} IN IP4 ${word()}`,
    () => `b=AS:${n()}`,
    () => `c=IN ${r.pick(['IP4', 'IP6', word()])} ${word()}`,
    () => `m=${r.pick(['audio', 'video', 'application', 'text', word()])} ${n()} ${r.pick(['UDP/TLS/RTP/SAVPF', 'UDP/DTLS/SCTP', 'DTLS/SCTP', 'RTP/AVP', word()])} ${n()} ${n()}`,
    () => `${r.pick(['v', 'o', 's', 't', 'a', 'x', '='])}=${word()}`
  ]
  return r.pick(lines)()
}

function randomBytes (r, n) {
  let s = ''
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.pick([0, 9, 10, 13, 32, 58, 61, 0xff, 0xd800, 0xfeff, 0x4e2d]) ?? 65)
  return s
}

/** A string of about `size` characters: one value repeated, or a run of lines. */
function hugeText (r, size) {
  switch (r.int(4)) {
    case 0: return 'A'.repeat(size)
    case 1: return ('a=x-filler:' + 'b'.repeat(100) + '\r\n').repeat(Math.ceil(size / 113))
    case 2: {
      const line = bogusLine(r) + '\r\n' // any length: the count follows it
      return line.repeat(Math.ceil(size / line.length))
    }
    default: return '9'.repeat(size)
  }
}

const splitLines = sdp => sdp.split(/\r\n|\n/).filter((l, i, all) => l !== '' || i < all.length - 1)
const joinLines = lines => lines.join('\r\n') + '\r\n'

// One mutation of an SDP. `huge` enables the multi-megabyte operators (10 MB strings).
const SDP_OPERATORS = {
  truncate: (r, s) => s.slice(0, r.int(s.length)),
  flipBytes: (r, s) => {
    if (s === '') return randomBytes(r, 1 + r.int(4))
    const chars = s.split('')
    for (let k = 1 + r.int(8); k > 0; k--) {
      const i = r.int(chars.length)
      chars[i] = r.chance(0.5) ? String.fromCharCode(chars[i].charCodeAt(0) ^ (1 << r.int(8))) : randomBytes(r, 1)
    }
    return chars.join('')
  },
  insertBogusLines: (r, s) => {
    const lines = splitLines(s)
    for (let k = 1 + r.int(4); k > 0; k--) lines.splice(1 + r.int(lines.length), 0, bogusLine(r))
    return joinLines(lines)
  },
  replaceLine: (r, s) => {
    const lines = splitLines(s)
    lines[r.int(lines.length)] = bogusLine(r)
    return joinLines(lines)
  },
  deleteLines: (r, s) => {
    const lines = splitLines(s)
    for (let k = 1 + r.int(3); k > 0 && lines.length > 0; k--) lines.splice(r.int(lines.length), 1)
    return joinLines(lines)
  },
  duplicateLines: (r, s) => {
    const lines = splitLines(s)
    const i = r.int(lines.length)
    const copies = Array.from({ length: 1 + r.int(r.chance(0.1) ? 2000 : 4) }, () => lines[i])
    lines.splice(i, 0, ...copies)
    return joinLines(lines)
  },
  shuffleLines: (r, s) => {
    const lines = splitLines(s)
    for (let k = 1 + r.int(5); k > 0; k--) {
      const i = r.int(lines.length); const j = r.int(lines.length)
      ;[lines[i], lines[j]] = [lines[j], lines[i]]
    }
    return joinLines(lines)
  },
  edgeNumbers: (r, s) => {
    const numbers = [...s.matchAll(/\d+/g)]
    if (numbers.length === 0) return s
    const m = r.pick(numbers)
    return s.slice(0, m.index) + r.pick(EDGE_NUMBERS) + s.slice(m.index + m[0].length)
  },
  lineEndings: (r, s) => s.replace(/\r\n/g, () => r.pick(['\n', '\r', '\r\n', '\n\r', '\r\r\n', ' \r\n', '\0\r\n'])),
  hugeLine: (r, s) => {
    const lines = splitLines(s)
    const i = r.int(lines.length)
    lines[i] = lines[i] + 'x'.repeat(1000 + r.int(100000))
    return joinLines(lines)
  },
  manySections: (r, s) => {
    const lines = splitLines(s)
    const m = lines.findIndex(l => l.startsWith('m='))
    if (m < 0) return s
    const section = lines.slice(m)
    return joinLines([...lines, ...Array.from({ length: 2 + r.int(60) }, () => section).flat()])
  }
}
const HUGE_OPERATORS = {
  // 10 MB: one line, many lines, or the whole SDP repeated.
  tenMegabyteLine: (r, s) => {
    const lines = splitLines(s)
    lines.splice(1 + r.int(lines.length), 0, 'a=x-huge:' + hugeText(r, 10 * 1024 * 1024))
    return joinLines(lines)
  },
  tenMegabyteJunk: (r) => hugeText(r, 10 * 1024 * 1024),
  tenMegabyteRepeat: (r, s) => s.repeat(Math.ceil(10 * 1024 * 1024 / s.length))
}

const MAX_COMPOUNDED = 4 * 1024 * 1024

/** Returns [mutated sdp, names of the operators applied]. */
function mutateSdp (r, sdp, { huge = false } = {}) {
  if (huge) {
    const name = r.pick(Object.keys(HUGE_OPERATORS))
    return [HUGE_OPERATORS[name](r, sdp), [name]]
  }
  const names = Object.keys(SDP_OPERATORS)
  const applied = []
  let s = sdp
  for (let k = 1 + (r.chance(0.3) ? r.int(3) : 0); k > 0; k--) {
    // Operators compound (2,000 copies of a 100 KB line, then 60 more sections of that): past a
    // few megabytes the next one could exceed V8's longest string. The huge operators cover size.
    if (s.length > MAX_COMPOUNDED) break
    const name = r.pick(names)
    s = SDP_OPERATORS[name](r, s)
    applied.push(name)
  }
  return [s, applied]
}

// One mutation of a candidate attribute ("candidate:..." with or without "a=").
const CANDIDATE_OPERATORS = {
  truncate: (r, c) => c.slice(0, r.int(c.length + 1)),
  flipBytes: SDP_OPERATORS.flipBytes,
  edgeNumbers: SDP_OPERATORS.edgeNumbers,
  dropField: (r, c) => { const f = c.split(' '); f.splice(r.int(f.length), 1); return f.join(' ') },
  duplicateField: (r, c) => { const f = c.split(' '); const i = r.int(f.length); f.splice(i, 0, f[i]); return f.join(' ') },
  swapFields: (r, c) => {
    const f = c.split(' '); const i = r.int(f.length); const j = r.int(f.length)
    ;[f[i], f[j]] = [f[j], f[i]]
    return f.join(' ')
  },
  replaceField: (r, c) => {
    const f = c.split(' ')
    f[r.int(f.length)] = r.pick([...EDGE_NUMBERS, 'udp', 'tcp', 'typ', 'host', 'relay', 'raddr', 'rport', 'tcptype',
      'generation', 'ufrag', '::ffff:127.0.0.1', '[::1]', '127.0.0.1:80', '999.999.999.999', 'a'.repeat(300) + '.local',
      '\0', '\u4e2d', randomBytes(r, 1 + r.int(5))])
    return f.join(' ')
  },
  extraTokens: (r, c) => c + ' ' + Array.from({ length: 1 + r.int(r.chance(0.05) ? 5000 : 6) },
    () => r.pick(['raddr', 'rport', 'tcptype', 'generation', 'ufrag', 'network-id', 'network-cost', 'x', ...EDGE_NUMBERS])).join(' '),
  whitespace: (r, c) => c.replace(/ /g, () => r.pick([' ', '  ', '\t', '\r\n', ' \0'])),
  prefix: (r, c) => r.pick(['a=', 'a=a=', '', ' ', 'candidate:', 'CANDIDATE:', '\r\n']) + c.replace(/^(a=)?candidate:/, r.pick(['candidate:', '', 'cand:'])),
  longValue: (r, c) => { const f = c.split(' '); const i = r.int(f.length); f[i] = f[i] + 'z'.repeat(100 + r.int(70000)); return f.join(' ') }
}

/** Returns [mutated candidate, operator names]; `huge` gives a ~10 MB string. */
function mutateCandidate (r, candidate, { huge = false } = {}) {
  if (huge) return [candidate + ' ' + hugeText(r, 10 * 1024 * 1024), ['tenMegabyte']]
  const names = Object.keys(CANDIDATE_OPERATORS)
  const applied = []
  let c = candidate
  for (let k = 1 + (r.chance(0.3) ? r.int(3) : 0); k > 0; k--) {
    const name = r.pick(names)
    c = CANDIDATE_OPERATORS[name](r, c)
    applied.push(name)
  }
  return [c, applied]
}

module.exports = { prng, mutateSdp, mutateCandidate, bogusLine, EDGE_NUMBERS }
