#include "media/dtmf_clock_encoder_factory.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "api/make_ref_counted.h"

namespace nlw {

namespace {

class DtmfClockEncoderFactory : public webrtc::AudioEncoderFactory {
 public:
  explicit DtmfClockEncoderFactory(rtc::scoped_refptr<webrtc::AudioEncoderFactory> real) : real_(std::move(real)) {}

  std::vector<webrtc::AudioCodecSpec> GetSupportedEncoders() override {
    std::vector<webrtc::AudioCodecSpec> specs = real_->GetSupportedEncoders();
    for (webrtc::AudioCodecSpec& spec : specs)
      if (IsOpus(spec.format)) spec.info.allow_comfort_noise = true;
    return specs;
  }

  absl::optional<webrtc::AudioCodecInfo> QueryAudioEncoder(const webrtc::SdpAudioFormat& format) override {
    absl::optional<webrtc::AudioCodecInfo> info = real_->QueryAudioEncoder(format);
    if (info && IsOpus(format)) info->allow_comfort_noise = true;
    return info;
  }

  std::unique_ptr<webrtc::AudioEncoder> MakeAudioEncoder(int payload_type, const webrtc::SdpAudioFormat& format,
                                                         absl::optional<webrtc::AudioCodecPairId> codec_pair_id) override {
    return real_->MakeAudioEncoder(payload_type, format, codec_pair_id);
  }

 private:
  static bool IsOpus(const webrtc::SdpAudioFormat& format) { return absl::EqualsIgnoreCase(format.name, "opus"); }

  const rtc::scoped_refptr<webrtc::AudioEncoderFactory> real_;
};

}  // namespace

rtc::scoped_refptr<webrtc::AudioEncoderFactory> WithDtmfAtCodecClock(rtc::scoped_refptr<webrtc::AudioEncoderFactory> real) {
  return rtc::make_ref_counted<DtmfClockEncoderFactory>(std::move(real));
}

}  // namespace nlw
