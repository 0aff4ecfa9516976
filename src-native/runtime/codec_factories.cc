#include "runtime/codec_factories.h"

#include "api/audio_codecs/audio_decoder_factory_template.h"
#include "api/audio_codecs/audio_encoder_factory_template.h"
#include "api/audio_codecs/g711/audio_decoder_g711.h"
#include "api/audio_codecs/g711/audio_encoder_g711.h"
#include "api/audio_codecs/g722/audio_decoder_g722.h"
#include "api/audio_codecs/g722/audio_encoder_g722.h"
#include "api/audio_codecs/opus/audio_decoder_opus.h"
#include "api/audio_codecs/opus/audio_encoder_opus.h"
#include "api/video_codecs/h264_profile_level_id.h"
#include "api/video_codecs/video_decoder_factory_template.h"
#include "api/video_codecs/video_decoder_factory_template_libvpx_vp8_adapter.h"
#include "api/video_codecs/video_decoder_factory_template_libvpx_vp9_adapter.h"
#include "api/video_codecs/video_encoder_factory_template.h"
#include "api/video_codecs/video_encoder_factory_template_libvpx_vp8_adapter.h"
#include "api/video_codecs/video_encoder_factory_template_libvpx_vp9_adapter.h"
#include "media/dtmf_clock_encoder_factory.h"
#include "media/engine/encoder_simulcast_proxy.h"
#include "media/base/codec.h"
#include "media/base/media_constants.h"
#include "media/forwarding_video_encoder.h"
#include "media/h264_decoder.h"
#include "media/relayed_opus_encoder.h"
#include "modules/video_coding/codecs/h264/h264_encoder_impl.h"

namespace nlw {

namespace {

// The H.264 formats M108's SupportedH264Codecs() lists, in its order, less Main profile: Baseline
// and Constrained Baseline at level 3.1, packetization-mode 1 then 0, level-asymmetry-allowed.
// OpenH264 encodes Constrained Baseline, which a Baseline decoder also takes. M108 offers Main
// (4d001f) because its FFmpeg decoder takes any Main stream; OpenH264's decoder is not a complete
// Main decoder (no interlaced coding), so we do not. SupportedH264Codecs() itself cannot be
// called: its object file (h264.cc) also holds H264Decoder::Create, which pulls libwebrtc's FFmpeg
// decoder (avcodec_*, av_frame_*) into the link.
std::vector<webrtc::SdpVideoFormat> H264Formats(bool with_scalability_modes) {
  absl::InlinedVector<webrtc::ScalabilityMode, webrtc::kScalabilityModeCount> modes;
  if (with_scalability_modes) {
    modes = {webrtc::ScalabilityMode::kL1T1, webrtc::ScalabilityMode::kL1T2,
             webrtc::ScalabilityMode::kL1T3};
  }
  std::vector<webrtc::SdpVideoFormat> formats;
  for (webrtc::H264Profile profile :
       {webrtc::H264Profile::kProfileBaseline, webrtc::H264Profile::kProfileConstrainedBaseline}) {
    const absl::optional<std::string> profile_level_id = webrtc::H264ProfileLevelIdToString(
        webrtc::H264ProfileLevelId(profile, webrtc::H264Level::kLevel3_1));
    for (const char* packetization_mode : {"1", "0"}) {
      formats.emplace_back(cricket::kH264CodecName,
                           webrtc::SdpVideoFormat::Parameters{
                               {cricket::kH264FmtpProfileLevelId, *profile_level_id},
                               {cricket::kH264FmtpLevelAsymmetryAllowed, "1"},
                               {cricket::kH264FmtpPacketizationMode, packetization_mode}},
                           modes);
    }
  }
  return formats;
}

// libwebrtc's H264EncoderImpl (in libtg_owt.a) on OpenH264's encoder. Both it and our decoder
// use Debian's libopenh264.a; the OpenH264 1.9 copy bundled in libtg_owt.a is dropped from the
// link (src-native/build.json, tgowt_drop_members). H264EncoderImpl was built against 1.9's
// headers; against 2.3.1's, ISVCEncoder's methods, the encoder option enum and the sizes of the
// structures it passes are the same, except SEncParamExt, which 2.3.1 extends by 4 bytes at its
// end (916 -> 920): H264EncoderImpl::InitEncode's stack slot for it is 920 bytes (padding before
// the canary), so 2.3.1's GetDefaultParams writes inside it.
struct OpenH264EncoderAdapter {
  static std::vector<webrtc::SdpVideoFormat> SupportedFormats() { return H264Formats(true); }
  static std::unique_ptr<webrtc::VideoEncoder> CreateEncoder(const webrtc::SdpVideoFormat& format) {
    return std::make_unique<webrtc::H264EncoderImpl>(cricket::VideoCodec(format));
  }
  static bool IsScalabilityModeSupported(webrtc::ScalabilityMode mode) {
    return mode == webrtc::ScalabilityMode::kL1T1 || mode == webrtc::ScalabilityMode::kL1T2 ||
           mode == webrtc::ScalabilityMode::kL1T3;
  }
};

struct OpenH264DecoderAdapter {
  static std::vector<webrtc::SdpVideoFormat> SupportedFormats() { return H264Formats(false); }
  static std::unique_ptr<webrtc::VideoDecoder> CreateDecoder(
      const webrtc::SdpVideoFormat& /*format*/) {
    return std::make_unique<OpenH264Decoder>();
  }
};

// libwebrtc's encoders behind EncoderSimulcastProxy, as its builtin factory and Chromium have them:
// an encoder that cannot take a simulcast configuration as it is (M108's VP8 wants its layers
// smallest first; webrtc-pc lets the application list them in any order, and Chromium's usual
// order is largest first) falls back to one encoder per layer (SimulcastEncoderAdapter) instead of
// failing to configure and sending nothing.
class SimulcastFallbackFactory : public webrtc::VideoEncoderFactory {
 public:
  explicit SimulcastFallbackFactory(std::unique_ptr<webrtc::VideoEncoderFactory> inner) : inner_(std::move(inner)) {}
  std::vector<webrtc::SdpVideoFormat> GetSupportedFormats() const override { return inner_->GetSupportedFormats(); }
  CodecSupport QueryCodecSupport(const webrtc::SdpVideoFormat& format,
                                 absl::optional<std::string> scalability_mode) const override {
    return inner_->QueryCodecSupport(format, std::move(scalability_mode));
  }
  std::unique_ptr<webrtc::VideoEncoder> CreateVideoEncoder(const webrtc::SdpVideoFormat& format) override {
    // The proxy calls the encoder it makes without checking it: a format the inner factory makes
    // nothing for (its template matches parameters exactly, e.g. an H.264 level it does not list)
    // must stay nothing, as before the proxy.
    if (!inner_->CreateVideoEncoder(format)) return nullptr;
    return std::make_unique<webrtc::EncoderSimulcastProxy>(inner_.get(), format);
  }

 private:
  const std::unique_ptr<webrtc::VideoEncoderFactory> inner_;  // outlives the encoders (the media engine owns us)
};

}  // namespace

rtc::scoped_refptr<webrtc::AudioEncoderFactory> CreateAudioEncoderFactory() {
  // Opus encoders can stand in for forwarded packets (media/relayed_opus_encoder.h); DTMF with
  // Opus goes as telephone-event/48000 (media/dtmf_clock_encoder_factory.h).
  return WithDtmfAtCodecClock(CreateRelayedOpusEncoderFactory(
      webrtc::CreateAudioEncoderFactory<webrtc::AudioEncoderOpus, webrtc::AudioEncoderG722, webrtc::AudioEncoderG711>()));
}

rtc::scoped_refptr<webrtc::AudioDecoderFactory> CreateAudioDecoderFactory() {
  return webrtc::CreateAudioDecoderFactory<webrtc::AudioDecoderOpus, webrtc::AudioDecoderG722,
                                           webrtc::AudioDecoderG711>();
}

std::unique_ptr<webrtc::VideoEncoderFactory> CreateVideoEncoderFactory() {
  // Every encoder can forward a relayed picture unchanged (media/forwarding_video_encoder.h).
  return std::make_unique<ForwardingVideoEncoderFactory>(
      std::make_unique<SimulcastFallbackFactory>(std::make_unique<webrtc::VideoEncoderFactoryTemplate<
          webrtc::LibvpxVp8EncoderTemplateAdapter, webrtc::LibvpxVp9EncoderTemplateAdapter,
          OpenH264EncoderAdapter>>()));
}

std::unique_ptr<webrtc::VideoDecoderFactory> CreateVideoDecoderFactory() {
  return std::make_unique<webrtc::VideoDecoderFactoryTemplate<
      webrtc::LibvpxVp8DecoderTemplateAdapter, webrtc::LibvpxVp9DecoderTemplateAdapter,
      OpenH264DecoderAdapter>>();
}

}  // namespace nlw
