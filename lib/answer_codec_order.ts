// The answerer's send codec (libwebrtc M108 workaround).
//
// JSEP: an answerer sends with the first codec of its answer. libwebrtc M108 instead takes the
// first codec of the remote offer that it supports, so an answerer's setCodecPreferences ordered
// (and filtered) its answer but not what it sent. When an answer puts another codec first in a
// section than the offer does, RTCPeerConnection applies the remote offer once more with that
// section's payload types in the answer's order first (libwebrtc then sends the answer's first
// codec), and keeps showing the offer as it was set (remoteDescription).

const LINE_END = /\r?\n/

interface MediaLine { mid: string | null, payloads: string[], line: string }

function mediaLines (sdp: string): MediaLine[] {
  const out: MediaLine[] = []
  for (const part of sdp.split(/(?=^m=)/m)) {
    if (!part.startsWith('m=')) continue
    const lines = part.split(LINE_END)
    const fields = lines[0].split(' ')
    // m=<media> <port> <proto> <fmt>...: RTP sections only (numeric payload types).
    if (!/^m=(audio|video)$/.test(fields[0]) || !/RTP/.test(fields[2] ?? '')) continue
    const mid = lines.find(l => l.startsWith('a=mid:'))?.slice(6).trim() ?? null
    out.push({ mid, payloads: fields.slice(3).filter(p => /^\d+$/.test(p)), line: lines[0] })
  }
  return out
}

/**
 * The remote offer with, in each section whose first payload type is not the first of `answer`'s,
 * the answer's payload types first in the answer's order; null when no section needs it.
 */
export function offerInAnswerOrder (offer: string, answer: string): string | null {
  const answered = new Map<string, string[]>()
  for (const m of mediaLines(answer)) {
    if (m.mid !== null && m.payloads.length > 0 && !/^m=\w+ 0 /.test(m.line)) answered.set(m.mid, m.payloads)
  }
  let changed = false
  let result = offer
  for (const m of mediaLines(offer)) {
    const order = m.mid === null ? undefined : answered.get(m.mid)
    if (order === undefined) continue
    // libwebrtc sends the offer's first codec it knows, in or out of the answer.
    const wanted = order.filter(p => m.payloads.includes(p))
    if (wanted.length === 0 || m.payloads[0] === wanted[0]) continue
    const fields = m.line.split(' ')
    const line = [...fields.slice(0, 3), ...wanted, ...m.payloads.filter(p => !wanted.includes(p))].join(' ')
    result = result.replace(m.line, line)
    changed = true
  }
  return changed ? result : null
}
