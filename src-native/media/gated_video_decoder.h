// The decoders of remote video (issue 17): wrap the real ones and skip the delta pictures of a
// stream whose track nobody takes pictures from (media/decode_gate.h). Keyframes are always decoded
// (they are rare: a new stream, a loss, a relay's new subscriber), so the track knows its size and
// a consumer that starts later has a picture at once; once the gate opens after skipped pictures,
// the deltas that refer to them are skipped as well and the decoder asks the publisher for a
// keyframe (WEBRTC_VIDEO_CODEC_OK_REQUEST_KEYFRAME, at most one per 250 ms) until one comes.
// All calls on the receive stream's decode thread.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "api/video_codecs/video_decoder.h"
#include "api/video_codecs/video_decoder_factory.h"
#include "media/decode_gate.h"

namespace nlw {

class GatedVideoDecoder : public webrtc::VideoDecoder {
 public:
  explicit GatedVideoDecoder(std::unique_ptr<webrtc::VideoDecoder> real);
  ~GatedVideoDecoder() override;

  bool Configure(const Settings& settings) override { return real_->Configure(settings); }
  int32_t Decode(const webrtc::EncodedImage& input_image, bool missing_frames, int64_t render_time_ms) override;
  int32_t RegisterDecodeCompleteCallback(webrtc::DecodedImageCallback* callback) override;
  int32_t Release() override { return real_->Release(); }
  DecoderInfo GetDecoderInfo() const override { return real_->GetDecoderInfo(); }
  const char* ImplementationName() const override { return real_->ImplementationName(); }

 private:
  // Between the real decoder and the receive stream: notes the pictures until linked.
  class Callback : public webrtc::DecodedImageCallback {
   public:
    Callback(DecoderLink* link, webrtc::DecodedImageCallback* next) : link_(link), next_(next) {}
    int32_t Decoded(webrtc::VideoFrame& frame) override;
    int32_t Decoded(webrtc::VideoFrame& frame, int64_t decode_time_ms) override;
    void Decoded(webrtc::VideoFrame& frame, absl::optional<int32_t> decode_time_ms, absl::optional<uint8_t> qp) override;

   private:
    void Note(const webrtc::VideoFrame& frame);
    DecoderLink* const link_;
    webrtc::DecodedImageCallback* const next_;
  };

  rtc::scoped_refptr<DecoderLink> link_;
  std::unique_ptr<Callback> callback_;
  std::unique_ptr<webrtc::VideoDecoder> real_;
  bool need_key_ = false;  // a picture was skipped: deltas wait for the next keyframe
  int64_t last_key_request_ms_ = -1000000;
};

class GatedVideoDecoderFactory : public webrtc::VideoDecoderFactory {
 public:
  explicit GatedVideoDecoderFactory(std::unique_ptr<webrtc::VideoDecoderFactory> real) : real_(std::move(real)) {}

  std::vector<webrtc::SdpVideoFormat> GetSupportedFormats() const override { return real_->GetSupportedFormats(); }
  CodecSupport QueryCodecSupport(const webrtc::SdpVideoFormat& format, bool reference_scaling) const override {
    return real_->QueryCodecSupport(format, reference_scaling);
  }
  std::unique_ptr<webrtc::VideoDecoder> CreateVideoDecoder(const webrtc::SdpVideoFormat& format) override;

 private:
  std::unique_ptr<webrtc::VideoDecoderFactory> real_;
};

}  // namespace nlw
