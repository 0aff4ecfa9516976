// Every error the package throws or rejects with is built here, with the spec's names.
import type { NativeError } from './native'

export type RTCErrorDetailType =
  | 'data-channel-failure' | 'dtls-failure' | 'fingerprint-failure' | 'sctp-failure'
  | 'sdp-syntax-error' | 'hardware-encoder-not-available' | 'hardware-encoder-error'
  // webrtc-identity
  | 'idp-bad-script-failure' | 'idp-execution-failure' | 'idp-load-failure' | 'idp-need-login'
  | 'idp-timeout' | 'idp-tls-failure' | 'idp-token-expired' | 'idp-token-invalid'

const DETAILS: ReadonlySet<string> = new Set<RTCErrorDetailType>([
  'data-channel-failure', 'dtls-failure', 'fingerprint-failure', 'sctp-failure',
  'sdp-syntax-error', 'hardware-encoder-not-available', 'hardware-encoder-error',
  'idp-bad-script-failure', 'idp-execution-failure', 'idp-load-failure', 'idp-need-login',
  'idp-timeout', 'idp-tls-failure', 'idp-token-expired', 'idp-token-invalid'
])

export interface RTCErrorInit {
  errorDetail: RTCErrorDetailType
  sdpLineNumber?: number
  sctpCauseCode?: number
  receivedAlert?: number
  sentAlert?: number
  /** webrtc-identity: the HTTP status of a failed IdP proxy load. */
  httpRequestStatusCode?: number
}

/** RTCError (webrtc-pc): an OperationError DOMException with WebRTC details. */
export class RTCError extends DOMException {
  readonly #errorDetail: RTCErrorDetailType
  readonly #sdpLineNumber: number | null
  readonly #sctpCauseCode: number | null
  readonly #receivedAlert: number | null
  readonly #sentAlert: number | null
  readonly #httpRequestStatusCode: number | null

  constructor (init: RTCErrorInit, message = '') {
    if (init === undefined || init === null || typeof init !== 'object') {
      throw new TypeError("Failed to construct 'RTCError': 2nd argument is not an object")
    }
    if (!DETAILS.has(String(init.errorDetail))) {
      throw new TypeError(`Failed to construct 'RTCError': '${String(init.errorDetail)}' is not a valid RTCErrorDetailType`)
    }
    super(String(message), 'OperationError')
    const opt = (v: number | undefined): number | null => v === undefined || v === null ? null : Number(v)
    this.#errorDetail = init.errorDetail
    this.#sdpLineNumber = opt(init.sdpLineNumber)
    this.#sctpCauseCode = opt(init.sctpCauseCode)
    this.#receivedAlert = opt(init.receivedAlert)
    this.#sentAlert = opt(init.sentAlert)
    this.#httpRequestStatusCode = opt(init.httpRequestStatusCode)
  }

  get errorDetail (): RTCErrorDetailType { return this.#errorDetail }
  get sdpLineNumber (): number | null { return this.#sdpLineNumber }
  get sctpCauseCode (): number | null { return this.#sctpCauseCode }
  get receivedAlert (): number | null { return this.#receivedAlert }
  get sentAlert (): number | null { return this.#sentAlert }
  get httpRequestStatusCode (): number | null { return this.#httpRequestStatusCode }
}

export function domError (name: string, message: string): Error {
  if (name === 'TypeError') return new TypeError(message)
  if (name === 'RangeError') return new RangeError(message)
  return new DOMException(message, name)
}

const NATIVE_NAMES: Record<string, string> = {
  UNSUPPORTED_OPERATION: 'OperationError',
  UNSUPPORTED_PARAMETER: 'OperationError',
  INVALID_PARAMETER: 'InvalidAccessError',
  INVALID_RANGE: 'RangeError',
  SYNTAX_ERROR: 'SyntaxError',
  INVALID_STATE: 'InvalidStateError',
  INVALID_MODIFICATION: 'InvalidModificationError',
  NETWORK_ERROR: 'NetworkError',
  RESOURCE_EXHAUSTED: 'OperationError',
  INTERNAL_ERROR: 'OperationError',
  OPERATION_ERROR_WITH_DATA: 'OperationError'
}

const NATIVE_DETAILS: Record<string, RTCErrorDetailType> = {
  DATA_CHANNEL_FAILURE: 'data-channel-failure',
  DTLS_FAILURE: 'dtls-failure',
  FINGERPRINT_FAILURE: 'fingerprint-failure',
  SCTP_FAILURE: 'sctp-failure',
  SDP_SYNTAX_ERROR: 'sdp-syntax-error',
  HARDWARE_ENCODER_NOT_AVAILABLE: 'hardware-encoder-not-available',
  HARDWARE_ENCODER_ERROR: 'hardware-encoder-error'
}

/** An error from the addon, as the spec names it. `fallback` overrides the generic mapping. */
export function fromNative (err: unknown, fallback?: string): Error {
  const e = err as Partial<NativeError>
  if (!(err instanceof Error) || typeof e.nativeType !== 'string') return err as Error
  const detail = e.errorDetail !== undefined ? NATIVE_DETAILS[e.errorDetail] : undefined
  if (detail !== undefined) {
    const init: RTCErrorInit = { errorDetail: detail }
    if (e.sctpCauseCode !== undefined) init.sctpCauseCode = e.sctpCauseCode
    return new RTCError(init, err.message)
  }
  const name = fallback ?? NATIVE_NAMES[e.nativeType] ?? e.nativeType
  return domError(name, err.message)
}

/** OverconstrainedError (mediacapture-streams): a required constraint cannot be satisfied. */
export class OverconstrainedError extends DOMException {
  readonly #constraint: string
  constructor (constraint: string, message = '') {
    if (arguments.length < 1) {
      throw new TypeError("Failed to construct 'OverconstrainedError': 1 argument required, but only 0 present.")
    }
    super(String(message), 'OverconstrainedError')
    this.#constraint = String(constraint)
  }

  get constraint (): string { return this.#constraint }
}
