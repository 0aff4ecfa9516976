// The audio encoder factory of every connection: libwebrtc's, except that Opus is described as
// allowing comfort noise, so that a sender picks the telephone-event of Opus's clock rate.
//
// M108's WebRtcVoiceMediaChannel::SetSendCodecs takes the negotiated telephone-event whose clock
// rate matches the send codec only inside `if (codec info allows comfort noise)`; Opus's info does
// not, so with Opus it falls back to the lowest rate: telephone-event/8000 in a 48 kHz stream. The
// sender then counts a tone's length in 8 kHz samples against 48 kHz timestamps: a 160 ms tone
// ends after 27 ms (two event packets), which a receiver plays as a short blip it may lose
// entirely (issue 16; bench/dtmf-heard.js). Browsers send telephone-event/48000 with Opus.
//
// The flag has no other effect here: comfort noise needs a CN codec at the send codec's rate and
// libwebrtc takes CN only at 8, 16 or 32 kHz (offers list CN only at those rates), so Opus is
// still never wrapped in a CN encoder.
#pragma once

#include "api/audio_codecs/audio_encoder_factory.h"
#include "api/scoped_refptr.h"

namespace nlw {

rtc::scoped_refptr<webrtc::AudioEncoderFactory> WithDtmfAtCodecClock(rtc::scoped_refptr<webrtc::AudioEncoderFactory> real);

}  // namespace nlw
