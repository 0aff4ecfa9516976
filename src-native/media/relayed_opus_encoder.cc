#include "media/relayed_opus_encoder.h"

#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "api/make_ref_counted.h"
#include "media/audio_forward_route.h"

namespace nlw {

namespace {

class RelayedOpusEncoder : public webrtc::AudioEncoder {
 public:
  RelayedOpusEncoder(std::unique_ptr<webrtc::AudioEncoder> opus, int payload_type)
      : opus_(std::move(opus)), payload_type_(payload_type) {}

  int SampleRateHz() const override { return opus_->SampleRateHz(); }
  size_t NumChannels() const override { return opus_->NumChannels(); }
  int RtpTimestampRateHz() const override { return opus_->RtpTimestampRateHz(); }
  size_t Num10MsFramesInNextPacket() const override { return opus_->Num10MsFramesInNextPacket(); }
  size_t Max10MsFramesInAPacket() const override { return opus_->Max10MsFramesInAPacket(); }
  int GetTargetBitrate() const override { return opus_->GetTargetBitrate(); }
  void Reset() override { opus_->Reset(); }
  bool SetFec(bool enable) override { return opus_->SetFec(enable); }
  bool SetDtx(bool enable) override { return opus_->SetDtx(enable); }
  bool GetDtx() const override { return opus_->GetDtx(); }
  bool SetApplication(Application application) override { return opus_->SetApplication(application); }
  void SetMaxPlaybackRate(int frequency_hz) override { opus_->SetMaxPlaybackRate(frequency_hz); }
  bool EnableAudioNetworkAdaptor(const std::string& config, webrtc::RtcEventLog* log) override {
    return opus_->EnableAudioNetworkAdaptor(config, log);
  }
  void DisableAudioNetworkAdaptor() override { opus_->DisableAudioNetworkAdaptor(); }
  void OnReceivedUplinkPacketLossFraction(float fraction) override { opus_->OnReceivedUplinkPacketLossFraction(fraction); }
  void OnReceivedTargetAudioBitrate(int target_bps) override { opus_->OnReceivedTargetAudioBitrate(target_bps); }
  void OnReceivedUplinkBandwidth(int target_bps, absl::optional<int64_t> period_ms) override {
    opus_->OnReceivedUplinkBandwidth(target_bps, period_ms);
  }
  void OnReceivedUplinkAllocation(webrtc::BitrateAllocationUpdate update) override {
    opus_->OnReceivedUplinkAllocation(update);
  }
  void OnReceivedRtt(int rtt_ms) override { opus_->OnReceivedRtt(rtt_ms); }
  void OnReceivedOverhead(size_t bytes) override { opus_->OnReceivedOverhead(bytes); }
  void SetReceiverFrameLengthRange(int min_ms, int max_ms) override { opus_->SetReceiverFrameLengthRange(min_ms, max_ms); }
  webrtc::ANAStats GetANAStats() const override { return opus_->GetANAStats(); }
  absl::optional<std::pair<webrtc::TimeDelta, webrtc::TimeDelta>> GetFrameLengthRange() const override {
    return opus_->GetFrameLengthRange();
  }

 protected:
  EncodedInfo EncodeImpl(uint32_t rtp_timestamp, rtc::ArrayView<const int16_t> audio, rtc::Buffer* encoded) override {
    // Forwarding needs the publisher's clock: Opus always runs at 48 kHz.
    if (opus_->SampleRateHz() == 48000) {
      if (rtc::scoped_refptr<AudioForwardRoute> route = AudioForwardRoute::Current()) {
        EncodedInfo info;
        if (route->StandIn(rtp_timestamp, encoded, &info)) {
          info.payload_type = payload_type_;
          standing_in_ = true;
          return info;
        }
      }
    }
    if (standing_in_) {
      // Whatever libopus had buffered belongs to audio that was forwarded meanwhile.
      opus_->Reset();
      standing_in_ = false;
    }
    return opus_->Encode(rtp_timestamp, audio, encoded);
  }

 private:
  const std::unique_ptr<webrtc::AudioEncoder> opus_;
  const int payload_type_;
  bool standing_in_ = false;  // the encoder queue
};

class RelayedOpusEncoderFactory : public webrtc::AudioEncoderFactory {
 public:
  explicit RelayedOpusEncoderFactory(rtc::scoped_refptr<webrtc::AudioEncoderFactory> inner) : inner_(std::move(inner)) {}

  std::vector<webrtc::AudioCodecSpec> GetSupportedEncoders() override { return inner_->GetSupportedEncoders(); }
  absl::optional<webrtc::AudioCodecInfo> QueryAudioEncoder(const webrtc::SdpAudioFormat& format) override {
    return inner_->QueryAudioEncoder(format);
  }
  std::unique_ptr<webrtc::AudioEncoder> MakeAudioEncoder(int payload_type, const webrtc::SdpAudioFormat& format,
                                                         absl::optional<webrtc::AudioCodecPairId> pair) override {
    std::unique_ptr<webrtc::AudioEncoder> encoder = inner_->MakeAudioEncoder(payload_type, format, pair);
    if (!encoder || !absl::EqualsIgnoreCase(format.name, "opus")) return encoder;
    return std::make_unique<RelayedOpusEncoder>(std::move(encoder), payload_type);
  }

 private:
  rtc::scoped_refptr<webrtc::AudioEncoderFactory> inner_;
};

}  // namespace

rtc::scoped_refptr<webrtc::AudioEncoderFactory> CreateRelayedOpusEncoderFactory(
    rtc::scoped_refptr<webrtc::AudioEncoderFactory> inner) {
  return rtc::make_ref_counted<RelayedOpusEncoderFactory>(std::move(inner));
}

}  // namespace nlw
