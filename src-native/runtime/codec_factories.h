// The codecs the prebuilt binary carries. tg_owt's builtin audio encoder factory has no Opus, so
// the audio factories are built from templates. Video, in Chromium's order: VP8, VP9 (libvpx),
// H.264 Constrained Baseline/Baseline, packetization-mode 1 and 0 (OpenH264: libwebrtc's
// H264EncoderImpl, and our decoder in media/h264_decoder.h, since libwebrtc's H.264 decoder goes
// through FFmpeg, which cannot be linked statically into a shared object).
#pragma once

#include <memory>

#include "api/audio_codecs/audio_decoder_factory.h"
#include "api/audio_codecs/audio_encoder_factory.h"
#include "api/video_codecs/video_decoder_factory.h"
#include "api/video_codecs/video_encoder_factory.h"

namespace nlw {

rtc::scoped_refptr<webrtc::AudioEncoderFactory> CreateAudioEncoderFactory();
rtc::scoped_refptr<webrtc::AudioDecoderFactory> CreateAudioDecoderFactory();
std::unique_ptr<webrtc::VideoEncoderFactory> CreateVideoEncoderFactory();
std::unique_ptr<webrtc::VideoDecoderFactory> CreateVideoDecoderFactory();

}  // namespace nlw
