// 10 ms chunks of 48 kHz mono audio whose RMS level, as libwebrtc's RmsLevel measures it, is a
// given audio level (RFC 6464: 0 = 0 dBov ... 127 = silence).
//
// The relay drives each forwarding sender's encoder with such chunks instead of decoded audio
// (media/relay_audio_source.h). The encoder stands in and ignores them, but M108's ChannelSend
// measures what it is given for the `ssrc-audio-level` header extension (rms_level_, set on the
// RTP sender per packet): chunks at the publisher's level make the forwarded packets carry the
// publisher's level instead of "silence". The samples alternate in sign (24 kHz, above what Opus
// keeps), so the few chunks a sender may encode while it switches are inaudible.
#pragma once

#include <cstdint>

namespace nlw {

constexpr int kLevelChunkSamples = 480;  // 10 ms at 48 kHz, mono

// Any thread. `level`: 0..127 (anything else: silence). The chunk measures `level` exactly for
// 0..112, 114, 117 and 127; the faint levels between, finer than 480 int16 samples can carry,
// come out as the nearest of these. It lives for the process.
const int16_t* AudioLevelChunk(int level);

// The level RmsLevel gives `samples` (tests and checks).
int RmsAudioLevel(const int16_t* samples, int count);

}  // namespace nlw
