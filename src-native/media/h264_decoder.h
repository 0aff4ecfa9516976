// H.264 decoding on OpenH264's decoder (Debian's libopenh264.a, linked statically). libtg_owt's own
// H.264 decoder goes through FFmpeg, which cannot be linked into a self-contained shared object.
// Takes the Annex-B access units libwebrtc's depacketizer assembles and hands I420 frames to the
// registered callback. Runs on libwebrtc's decode thread; Configure/Decode/Release come in sequence.
#pragma once

#include <cstdint>
#include <memory>

#include "api/video_codecs/video_decoder.h"
#include "common_video/h264/h264_bitstream_parser.h"
#include "common_video/include/video_frame_buffer_pool.h"

class ISVCDecoder;

namespace nlw {

class OpenH264Decoder final : public webrtc::VideoDecoder {
 public:
  OpenH264Decoder();
  ~OpenH264Decoder() override;

  bool Configure(const Settings& settings) override;
  int32_t Decode(const webrtc::EncodedImage& input_image, bool missing_frames,
                 int64_t render_time_ms) override;
  int32_t RegisterDecodeCompleteCallback(webrtc::DecodedImageCallback* callback) override;
  int32_t Release() override;
  DecoderInfo GetDecoderInfo() const override;
  const char* ImplementationName() const override;

 private:
  struct Destroy {
    void operator()(ISVCDecoder* decoder) const;
  };

  std::unique_ptr<ISVCDecoder, Destroy> decoder_;
  webrtc::DecodedImageCallback* callback_ = nullptr;
  webrtc::VideoFrameBufferPool buffer_pool_;
  webrtc::H264BitstreamParser bitstream_parser_;
};

}  // namespace nlw
