// Small read-only views of SDP text that the spec needs and libwebrtc does not give us:
// per-section ICE username fragments, and the a=end-of-candidates lines webrtc-pc asks for.

/** One m= section: its mid (or null), its index, its ICE ufrag (section or session level). */
export interface SdpSection { mid: string | null, index: number, ufrag: string | null, text: string }

const LINE_END = /\r?\n/

/** Splits SDP into the session part and its media sections. */
function split (sdp: string): { session: string, media: string[] } {
  const parts = sdp.split(/(?=^m=)/m)
  const session = parts[0].startsWith('m=') ? '' : parts.shift() ?? ''
  return { session, media: parts }
}

function attribute (text: string, name: string): string | null {
  for (const line of text.split(LINE_END)) {
    if (line.startsWith(`a=${name}:`)) return line.slice(name.length + 3).trim()
  }
  return null
}

export function sections (sdp: string): SdpSection[] {
  const { session, media } = split(sdp)
  const sessionUfrag = attribute(session, 'ice-ufrag')
  return media.map((text, index) => ({
    mid: attribute(text, 'mid'), index, ufrag: attribute(text, 'ice-ufrag') ?? sessionUfrag, text
  }))
}

/** The section a candidate names: sdpMid wins over sdpMLineIndex (webrtc-pc). */
export function findSection (sdp: string, mid: string | null, index: number | null): SdpSection | undefined {
  const all = sections(sdp)
  if (mid !== null) return all.find(s => s.mid === mid)
  if (index !== null) return all[index]
  return undefined
}

/**
 * Which ICE generation of which section has seen its end of candidates: key = mid (or '#index'),
 * value = the ufrag at that time. A new ufrag (ICE restart) makes the mark stale by itself.
 */
export type EndOfCandidates = Map<string, string | null>

export function sectionKey (s: SdpSection): string { return s.mid ?? `#${s.index}` }

/** Marks the given sections (all when `which` is undefined) as complete for their current ufrag. */
export function markEndOfCandidates (marks: EndOfCandidates, sdp: string, which?: SdpSection): void {
  for (const s of which === undefined ? sections(sdp) : [which]) marks.set(sectionKey(s), s.ufrag)
}

/** The SDP with a=end-of-candidates at the end of every marked section that lacks it. */
export function withEndOfCandidates (sdp: string, marks: EndOfCandidates): string {
  if (marks.size === 0) return sdp
  const { session, media } = split(sdp)
  const all = sections(sdp)
  let changed = false
  const out = media.map((text, i) => {
    const s = all[i]
    const key = sectionKey(s)
    if (!marks.has(key) || marks.get(key) !== s.ufrag || /^a=end-of-candidates\s*$/m.test(text)) return text
    changed = true
    const eol = text.includes('\r\n') ? '\r\n' : '\n'
    return text.endsWith(eol) ? `${text}a=end-of-candidates${eol}` : `${text}${eol}a=end-of-candidates${eol}`
  })
  return changed ? session + out.join('') : sdp
}
