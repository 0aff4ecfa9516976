import { domString } from './webidl'

export type RTCSdpType = 'offer' | 'pranswer' | 'answer' | 'rollback'
export const SDP_TYPES: readonly string[] = ['offer', 'pranswer', 'answer', 'rollback']

export interface RTCSessionDescriptionInit {
  type: RTCSdpType
  sdp?: string
}

export class RTCSessionDescription {
  readonly #type: RTCSdpType
  readonly #sdp: string

  constructor (init: RTCSessionDescriptionInit) {
    if (init === null || init === undefined || typeof init !== 'object') {
      throw new TypeError("Failed to construct 'RTCSessionDescription': parameter 1 is not an object.")
    }
    if (init.type === undefined) {
      throw new TypeError("Failed to construct 'RTCSessionDescription': required member type is undefined.")
    }
    const type = domString(init.type, 'type')
    if (!SDP_TYPES.includes(type)) {
      throw new TypeError(`Failed to construct 'RTCSessionDescription': The provided value '${type}' is not a valid enum value of type RTCSdpType.`)
    }
    this.#type = type as RTCSdpType
    this.#sdp = init.sdp === undefined || init.sdp === null ? '' : domString(init.sdp, 'sdp')
  }

  get type (): RTCSdpType { return this.#type }
  get sdp (): string { return this.#sdp }

  toJSON (): RTCSessionDescriptionInit {
    return { type: this.type, sdp: this.sdp }
  }
}
