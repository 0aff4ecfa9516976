// RTCRtpParameters, RTCRtpCapabilities, RTCRtpCodec and RTCRtpSynchronizationSource <-> libwebrtc.
// JS (lib/RTCRtpSender.ts) has checked types and the spec's rules already; these only convert.
#pragma once

#include <napi.h>

#include <string>
#include <vector>

#include "api/media_types.h"
#include "api/rtc_error.h"
#include "api/rtp_parameters.h"
#include "api/transport/rtp/rtp_source.h"

namespace nlw {

// "a=fmtp" form of codec parameters ("k=v;k=v", keys sorted as libwebrtc keeps them), "" if none.
std::string FmtpLine(const std::map<std::string, std::string>& parameters);

Napi::Object RtpParametersToJs(Napi::Env env, const webrtc::RtpParameters& p, bool sender);
// Applies what JS may change (encodings' active, maxBitrate, maxFramerate, scaleResolutionDownBy,
// priority, networkPriority; degradationPreference) onto `p`, as read from libwebrtc.
void ApplySendParameters(Napi::Object from, webrtc::RtpParameters* p);
Napi::Object RtpCapabilitiesToJs(Napi::Env env, const webrtc::RtpCapabilities& caps);
// { mimeType, clockRate, channels?, sdpFmtpLine? } -> libwebrtc's codec capability.
bool CodecCapabilityFromJs(Napi::Object from, webrtc::RtpCodecCapability* out);
// What libwebrtc M108 cannot take in a sender's encodings without aborting (an audio maxBitrate
// of 0): INVALID_RANGE (RangeError), checked before SetParameters / AddTransceiver see them.
webrtc::RTCError CheckSendEncodings(cricket::MediaType kind, const std::vector<webrtc::RtpEncodingParameters>& encodings);
// Encodings of RTCRtpTransceiverInit.sendEncodings.
std::vector<webrtc::RtpEncodingParameters> EncodingsFromJs(Napi::Value from);
Napi::Array RtpSourcesToJs(Napi::Env env, const std::vector<webrtc::RtpSource>& sources,
                           webrtc::RtpSourceType type);

}  // namespace nlw
