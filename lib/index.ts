// node-libwebrtc: the W3C WebRTC API (webrtc-pc) over Google's libwebrtc.
export { RTCPeerConnection } from './RTCPeerConnection'
export type {
  RTCSignalingState, RTCIceGatheringState, RTCIceConnectionState, RTCPeerConnectionState,
  RTCOfferOptions, RTCAnswerOptions, RTCPeerConnectionEventMap
} from './RTCPeerConnection'
export { RTCSessionDescription } from './RTCSessionDescription'
export type { RTCSdpType, RTCSessionDescriptionInit } from './RTCSessionDescription'
export { RTCIceCandidate } from './RTCIceCandidate'
export type { RTCIceCandidateInit, RTCIceComponent, RTCIceProtocol, RTCIceCandidateType, RTCIceTcpCandidateType } from './RTCIceCandidate'
export { RTCDataChannel } from './RTCDataChannel'
export type { RTCDataChannelInit, RTCDataChannelState, RTCPriorityType, BinaryType, RTCDataChannelEventMap } from './RTCDataChannel'
export { RTCSctpTransport } from './RTCSctpTransport'
export type { RTCSctpTransportState } from './RTCSctpTransport'
export { RTCDtlsTransport } from './RTCDtlsTransport'
export { RTCCertificate } from './RTCCertificate'
export { RTCIdentityAssertion, RTCIdentityEvent, RTCIdentityErrorEvent } from './identity'
export type {
  RTCIdentityProviderOptions, RTCIdentityProvider, RTCIdentityAssertionResult, RTCIdentityValidationResult
} from './identity'
export type { RTCDtlsFingerprint, RTCCertificatePem, AlgorithmIdentifier } from './RTCCertificate'
export type { RTCDtlsTransportState } from './RTCDtlsTransport'
export { RTCIceTransport } from './RTCIceTransport'
export type { RTCIceRole, RTCIceTransportState, RTCIceGathererState, RTCIceCandidatePair } from './RTCIceTransport'
export {
  RTCPeerConnectionIceEvent, RTCPeerConnectionIceErrorEvent, RTCDataChannelEvent, RTCErrorEvent,
  MediaStreamTrackEvent, RTCDTMFToneChangeEvent
} from './events'
export type { MediaStreamTrackEventInit, RTCDTMFToneChangeEventInit } from './events'
export { RTCDTMFSender } from './RTCDTMFSender'
export type { RTCDTMFSenderEventMap } from './RTCDTMFSender'
export { MediaStreamEvent } from './MediaStreamEvent'
export type { MediaStreamEventInit } from './MediaStreamEvent'
export { RTCError, OverconstrainedError } from './errors'
export { MediaStreamTrack } from './MediaStreamTrack'
export type { MediaStreamTrackState, MediaStreamTrackEventMap } from './MediaStreamTrack'
export { MediaStream } from './MediaStream'
export { mediaDevices, MediaDevices, MediaDeviceInfo, InputDeviceInfo } from './mediaDevices'
export type { MediaDeviceKind, MediaStreamConstraints, MediaDevicesEventMap } from './mediaDevices'
export type { MediaStreamEventMap } from './MediaStream'
export type {
  MediaTrackConstraints, MediaTrackConstraintSet, MediaTrackSettings, MediaTrackCapabilities,
  MediaTrackSupportedConstraints, ConstrainULong, ConstrainDouble, ConstrainBoolean, ConstrainDOMString,
  ConstrainULongRange, ConstrainDoubleRange, ConstrainBooleanParameters, ConstrainDOMStringParameters,
  ULongRange, DoubleRange
} from './constraints'
export type { RTCErrorInit, RTCErrorDetailType } from './errors'
export type {
  RTCConfiguration, RTCIceServer, RTCIceTransportPolicy, RTCBundlePolicy, RTCRtcpMuxPolicy, RTCNetworkOptions
} from './configuration'
export { RTCRtpTransceiver } from './RTCRtpTransceiver'
export type { RTCRtpTransceiverDirection } from './RTCRtpTransceiver'
export { RTCRtpSender } from './RTCRtpSender'
export type {
  RTCRtpEncodingParameters, RTCRtpSendParameters, RTCRtpReceiveParameters, RTCRtpParameters, RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters, RTCRtcpParameters, RTCDegradationPreference
} from './RTCRtpSender'
export { RTCRtpReceiver } from './RTCRtpReceiver'
export type { RTCRtpContributingSource, RTCRtpSynchronizationSource } from './RTCRtpReceiver'
export type { RTCRtpCodec, RTCRtpCapabilities, RTCRtpHeaderExtensionCapability } from './rtp_capabilities'
export { RTCTrackEvent } from './RTCTrackEvent'
export { RTCStatsReport } from './RTCStatsReport'
export type { RTCStats, RTCStatsType } from './RTCStatsReport'
export type { RTCTrackEventInit } from './RTCTrackEvent'
export type { RTCRtpTransceiverInit } from './RTCPeerConnection'
export { nonstandard } from './nonstandard'
export type { RTCVideoSourceInit, RTCVideoFrameData, RTCVideoFrameFormat, RTCAudioDataInit } from './track_sources'
export { VideoFrame, VideoColorSpace, DOMRectReadOnly } from './VideoFrame'
export type {
  VideoPixelFormat, VideoFrameBufferInit, VideoFrameInit, VideoFrameCopyToOptions, PlaneLayout, DOMRectInit, VideoColorSpaceInit
} from './VideoFrame'
export { AudioData } from './AudioData'
export type { AudioSampleFormat, AudioDataInit, AudioDataCopyToOptions } from './AudioData'
export { MediaStreamTrackProcessor } from './MediaStreamTrackProcessor'
export type { MediaStreamTrackProcessorInit } from './MediaStreamTrackProcessor'
export { VideoTrackGenerator } from './VideoTrackGenerator'
export { MediaStreamTrackGenerator } from './MediaStreamTrackGenerator'
export type { MediaStreamTrackGeneratorInit } from './MediaStreamTrackGenerator'
export { RTCRtpScriptTransform, RTCRtpScriptTransformer, RTCEncodedVideoFrame, RTCEncodedAudioFrame, RTCTransformEvent } from './encoded_transform'
export type { RTCEncodedVideoFrameType, RTCEncodedVideoFrameMetadata, RTCEncodedAudioFrameMetadata, RTCEncodedFrame, RTCTransformEventInit } from './encoded_transform'
