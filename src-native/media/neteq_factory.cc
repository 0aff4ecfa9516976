#include "media/neteq_factory.h"

#include <utility>

#include "api/neteq/default_neteq_controller_factory.h"
#include "media/late_dtmf_buffer.h"
#include "modules/audio_coding/neteq/neteq_impl.h"

namespace nlw {

namespace {

// What libwebrtc's DefaultNetEqFactory does, with our DTMF buffer.
class NetEqFactory : public webrtc::NetEqFactory {
 public:
  std::unique_ptr<webrtc::NetEq> CreateNetEq(const webrtc::NetEq::Config& config,
                                             const rtc::scoped_refptr<webrtc::AudioDecoderFactory>& decoder_factory,
                                             webrtc::Clock* clock) const override {
    webrtc::NetEqImpl::Dependencies deps(config, clock, decoder_factory, controllers_);
    deps.dtmf_buffer = std::make_unique<LateDtmfBuffer>(config.sample_rate_hz);
    return std::make_unique<webrtc::NetEqImpl>(config, std::move(deps));
  }

 private:
  webrtc::DefaultNetEqControllerFactory controllers_;
};

}  // namespace

std::unique_ptr<webrtc::NetEqFactory> CreateNetEqFactory() { return std::make_unique<NetEqFactory>(); }

}  // namespace nlw
