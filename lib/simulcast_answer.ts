// Non-standard `receiveSimulcast` (docs/nonstandard.md, "Simulcast publishers"): libwebrtc M108's
// createAnswer declines an offer's simulcast (no a=rid, no a=simulcast:recv). With the option set,
// the answer we make accepts it, as JSEP (RFC 8829 §5.3.1) and Chromium do: per accepted video
// section, one `a=rid:<id> recv` per offered send rid and `a=simulcast:recv` with them in the
// offer's order. M108 applies such an answer; the connection then receives every layer
// (src-native/media/simulcast_layers.h). The section's RTX formats are left out of the answer: M108
// cannot tell which layer an RTX stream repairs (it ties every unknown RTX SSRC to its one default
// stream, and drops RTX packets when there is none, which the publisher's estimate counts as
// losses). Without RTX the publisher retransmits and pads on each layer's own SSRC.

const LINE_END = /\r?\n/
const RID_EXTENSION = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'

function split (sdp: string): { session: string, media: string[] } {
  const parts = sdp.split(/(?=^m=)/m)
  const session = parts[0].startsWith('m=') ? '' : parts.shift() ?? ''
  return { session, media: parts }
}

function lines (text: string): string[] { return text.split(LINE_END).filter(l => l !== '') }

function value (text: string, name: string): string | null {
  for (const line of lines(text)) if (line.startsWith(`a=${name}:`)) return line.slice(name.length + 3).trim()
  return null
}

/** The rids an offer's video section sends as simulcast, in its order (the first of each alternative; paused ones too). */
export function offeredSimulcastRids (section: string): string[] {
  if (!section.startsWith('m=video')) return []
  const simulcast = value(section, 'simulcast')
  const m = simulcast === null ? null : /^send\s+(\S+)/.exec(simulcast)
  if (m === null) return []
  const sendRids = new Set(lines(section)
    .map(l => /^a=rid:(\S+)\s+send\b/.exec(l)).filter(x => x !== null).map(x => x[1]))
  const out: string[] = []
  for (const stream of m[1].split(';')) {
    const id = stream.split(',')[0].replace(/^~/, '')
    if (id !== '' && sendRids.has(id) && !out.includes(id)) out.push(id)
  }
  return out.length > 1 ? out : []
}

/** A video section without its RTX payload types (m= line, rtpmap, fmtp, rtcp-fb). */
function withoutRtx (section: string, eol: string): string {
  const rtx = new Set(lines(section).map(l => /^a=rtpmap:(\d+) rtx\//i.exec(l)).filter(x => x !== null).map(x => x[1]))
  if (rtx.size === 0) return section
  const kept = lines(section).filter(l => {
    const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ \t]/.exec(l)
    return m === null || !rtx.has(m[1])
  }).map(l => {
    if (!l.startsWith('m=')) return l
    const parts = l.split(' ')
    return [...parts.slice(0, 3), ...parts.slice(3).filter(pt => !rtx.has(pt))].join(' ')
  })
  return kept.join(eol) + eol
}

/** `answer` with the offer's simulcast accepted in every video section we receive; unchanged if none. */
export function acceptOfferSimulcast (offer: string | null, answer: string): string {
  if (offer === null) return answer
  const offered = new Map<string, string[]>()
  for (const section of split(offer).media) {
    const mid = value(section, 'mid')
    const rids = offeredSimulcastRids(section)
    if (mid !== null && rids.length > 0) offered.set(mid, rids)
  }
  if (offered.size === 0) return answer
  const { session, media } = split(answer)
  let changed = false
  const out = media.map(section => {
    const mid = value(section, 'mid')
    const rids = mid === null ? undefined : offered.get(mid)
    if (rids === undefined || !section.startsWith('m=video') || /^m=video 0 /.test(section)) return section
    if (/^a=(sendonly|inactive)\s*$/m.test(section) || /^a=(simulcast|rid):/m.test(section)) return section
    if (!section.includes(RID_EXTENSION)) return section  // layers could not be told apart
    const eol = section.includes('\r\n') ? '\r\n' : '\n'
    section = withoutRtx(section, eol)
    const added = rids.map(id => `a=rid:${id} recv`).join(eol) + eol + `a=simulcast:recv ${rids.join(';')}` + eol
    changed = true
    return section.endsWith(eol) ? section + added : section + eol + added
  })
  return changed ? session + out.join('') : answer
}
