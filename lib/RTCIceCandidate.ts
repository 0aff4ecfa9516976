import { domString, toNumber } from './webidl'

export type RTCIceComponent = 'rtp' | 'rtcp'
export type RTCIceProtocol = 'udp' | 'tcp'
export type RTCIceCandidateType = 'host' | 'srflx' | 'prflx' | 'relay'
export type RTCIceTcpCandidateType = 'active' | 'passive' | 'so'

export interface RTCIceCandidateInit {
  candidate?: string
  sdpMid?: string | null
  sdpMLineIndex?: number | null
  usernameFragment?: string | null
}

interface Parsed {
  foundation: string
  component: RTCIceComponent | null
  priority: number
  address: string
  protocol: RTCIceProtocol | null
  port: number
  type: RTCIceCandidateType | null
  tcpType: RTCIceTcpCandidateType | null
  relatedAddress: string | null
  relatedPort: number | null
  usernameFragment: string | null
}

const TYPES = new Set(['host', 'srflx', 'prflx', 'relay'])
const TCP_TYPES = new Set(['active', 'passive', 'so'])

/** Parses an SDP candidate attribute ("candidate:..." with or without "a="), RFC 8839. */
export function parseCandidate (line: string): Parsed | null {
  const m = /^(?:a=)?candidate:(\S+) (\d+) (\S+) (\d+) (\S+) (\d+) typ (\S+)(.*)$/i.exec(line.trim())
  if (m === null) return null
  const [, foundation, component, protocol, priority, address, port, type, rest] = m as unknown as string[]
  const ext: Record<string, string> = {}
  const words = rest!.trim().split(/\s+/).filter(Boolean)
  for (let i = 0; i + 1 < words.length; i += 2) ext[words[i]!] = words[i + 1]!
  const proto = protocol!.toLowerCase()
  const comp = Number(component)
  return {
    foundation: foundation!,
    component: comp === 1 ? 'rtp' : comp === 2 ? 'rtcp' : null,
    priority: Number(priority),
    address: address!,
    protocol: proto === 'udp' || proto === 'tcp' ? proto : null,
    port: Number(port),
    type: TYPES.has(type!) ? type as RTCIceCandidateType : null,
    tcpType: ext.tcptype !== undefined && TCP_TYPES.has(ext.tcptype) ? ext.tcptype as RTCIceTcpCandidateType : null,
    relatedAddress: ext.raddr ?? null,
    relatedPort: ext.rport !== undefined ? Number(ext.rport) : null,
    usernameFragment: ext.ufrag ?? null
  }
}

interface CandidateFields extends Omit<Parsed, 'foundation' | 'priority' | 'address' | 'port'> {
  candidate: string
  sdpMid: string | null
  sdpMLineIndex: number | null
  foundation: string | null
  priority: number | null
  address: string | null
  port: number | null
}

export class RTCIceCandidate {
  readonly #f: CandidateFields

  constructor (init: RTCIceCandidateInit = {}) {
    if (init === null || typeof init !== 'object') {
      throw new TypeError("Failed to construct 'RTCIceCandidate': parameter 1 is not an object.")
    }
    const sdpMid = init.sdpMid === undefined || init.sdpMid === null ? null : domString(init.sdpMid, 'sdpMid')
    let index: number | null = null
    if (init.sdpMLineIndex !== undefined && init.sdpMLineIndex !== null) {
      index = toNumber(init.sdpMLineIndex, 'sdpMLineIndex')
      if (!Number.isFinite(index)) throw new TypeError("Failed to construct 'RTCIceCandidate': sdpMLineIndex is not a finite number.")
      index = ((Math.trunc(index) % 65536) + 65536) % 65536 // WebIDL unsigned short
    }
    if (sdpMid === null && index === null) {
      throw new TypeError("Failed to construct 'RTCIceCandidate': The 'sdpMid' and 'sdpMLineIndex' are both null.")
    }
    const candidate = init.candidate === undefined ? '' : domString(init.candidate, 'candidate')
    const p = candidate === '' ? null : parseCandidate(candidate)
    this.#f = {
      candidate,
      sdpMid,
      sdpMLineIndex: index,
      foundation: p?.foundation ?? null,
      component: p?.component ?? null,
      priority: p?.priority ?? null,
      address: p?.address ?? null,
      protocol: p?.protocol ?? null,
      port: p?.port ?? null,
      type: p?.type ?? null,
      tcpType: p?.tcpType ?? null,
      relatedAddress: p?.relatedAddress ?? null,
      relatedPort: p?.relatedPort ?? null,
      usernameFragment: init.usernameFragment === undefined || init.usernameFragment === null
        ? null
        : domString(init.usernameFragment, 'usernameFragment')
    }
  }

  get candidate (): string { return this.#f.candidate }
  get sdpMid (): string | null { return this.#f.sdpMid }
  get sdpMLineIndex (): number | null { return this.#f.sdpMLineIndex }
  get foundation (): string | null { return this.#f.foundation }
  get component (): RTCIceComponent | null { return this.#f.component }
  get priority (): number | null { return this.#f.priority }
  get address (): string | null { return this.#f.address }
  get protocol (): RTCIceProtocol | null { return this.#f.protocol }
  get port (): number | null { return this.#f.port }
  get type (): RTCIceCandidateType | null { return this.#f.type }
  get tcpType (): RTCIceTcpCandidateType | null { return this.#f.tcpType }
  get relatedAddress (): string | null { return this.#f.relatedAddress }
  get relatedPort (): number | null { return this.#f.relatedPort }
  get usernameFragment (): string | null { return this.#f.usernameFragment }

  toJSON (): RTCIceCandidateInit {
    return {
      candidate: this.candidate,
      sdpMid: this.sdpMid,
      sdpMLineIndex: this.sdpMLineIndex,
      usernameFragment: this.usernameFragment
    }
  }
}
