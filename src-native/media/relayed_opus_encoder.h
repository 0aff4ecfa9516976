// The audio encoder factory of the relay: libwebrtc's, with every Opus encoder wrapped so that it
// stands in for forwarded packets (media/audio_forward_route.h). On a channel with no route, or
// whose route does not forward now, the wrapper is libwebrtc's Opus encoder; standing in, it
// costs no libopus work: one dummy byte per publisher packet.
#pragma once

#include "api/audio_codecs/audio_encoder_factory.h"

namespace nlw {

// Wraps `inner` (which makes libwebrtc's encoders).
rtc::scoped_refptr<webrtc::AudioEncoderFactory> CreateRelayedOpusEncoderFactory(
    rtc::scoped_refptr<webrtc::AudioEncoderFactory> inner);

}  // namespace nlw
