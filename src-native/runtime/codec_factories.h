// The codecs the prebuilt binary carries. tg_owt's builtin audio encoder factory has no Opus, so
// the audio factories are built from templates; video is VP8/VP9 (libvpx), since FFmpeg (H.264)
// cannot be linked statically into a shared object.
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
