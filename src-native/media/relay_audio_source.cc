#include "media/relay_audio_source.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "api/make_ref_counted.h"
#include "pc/channel_interface.h"
#include "pc/rtp_receiver.h"
#include "pc/rtp_transceiver.h"
#include "media/audio_level_chunks.h"
#include "media/demand_audio_mixer.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {
std::atomic<uint64_t> g_live{0};
constexpr int kChunk = kLevelChunkSamples;  // 10 ms at 48 kHz, mono
}  // namespace

// ---- OpusReceiveTap

void OpusReceiveTap::SetOwner(RelayAudioSource* owner) {
  std::lock_guard<std::mutex> lock(mu_);
  owner_ = owner;
}

void OpusReceiveTap::Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (owner_ != nullptr) {
      // A receive stream's frames are audio frames with the RTP header (M108's
      // TransformableIncomingAudioFrame).
      const webrtc::RTPHeader& header =
          static_cast<webrtc::TransformableAudioFrameInterface*>(frame.get())->GetHeader();
      const int level = header.extension.hasAudioLevel ? header.extension.audioLevel : -1;
      owner_->OnPacket(frame->GetData(), frame->GetPayloadType(), level);
    }
  }
  Pass(std::move(frame));
}

// ---- RelayAudioFeed

RelayAudioFeed::RelayAudioFeed(rtc::scoped_refptr<RelayAudioSource> parent, bool pcm)
    : parent_(std::move(parent)), pcm_(pcm) {
  if (pcm) parent_->CountPcm(1);
  parent_->AddFeed(this);
}

RelayAudioFeed::~RelayAudioFeed() {
  parent_->RemoveFeed(this);
  if (pcm_.load()) parent_->CountPcm(-1);
}

void RelayAudioFeed::AddSink(webrtc::AudioTrackSinkInterface* sink) { sinks_.Add(sink); }

void RelayAudioFeed::RemoveSink(webrtc::AudioTrackSinkInterface* sink) { sinks_.Remove(sink); }

bool RelayAudioFeed::has_sinks() { return !sinks_.empty(); }

void RelayAudioFeed::SetPcm(bool pcm) {
  if (pcm_.exchange(pcm) == pcm) return;
  parent_->CountPcm(pcm ? 1 : -1);
}

const std::shared_ptr<OpusPacketRing>& RelayAudioFeed::ring() const { return parent_->ring(); }
bool RelayAudioFeed::attached() const { return parent_->attached(); }
bool RelayAudioFeed::muted() const { return parent_->muted(); }

void RelayAudioFeed::Deliver(const void* audio_data, int bits_per_sample, int sample_rate, size_t channels,
                             size_t frames) {
  if (forward_gate_ && forward_gate_->shut.load(std::memory_order_relaxed)) return;  // RTP-forwarded
  sinks_.Deliver(audio_data, bits_per_sample, sample_rate, channels, frames);
}

void RelayAudioFeed::Give(int chunks, int level) {
  if (forward_gate_ && forward_gate_->shut.load(std::memory_order_relaxed)) return;  // RTP-forwarded
  given_ += chunks;
  const int16_t* chunk = AudioLevelChunk(level);
  for (int i = 0; i < chunks; i++) sinks_.Deliver(chunk, 16, 48000, 1, kChunk);
}

void RelayAudioFeed::GiveWaiting(bool all) {
  while (!waiting_.empty() && (all || consumed_ >= given_)) {
    auto [c, l] = waiting_.front();
    waiting_.pop_front();
    Give(c, l);
  }
}

void RelayAudioFeed::PushLevel(int chunks, int level) {
  // The route has not run for this long (no encoding for this feed: a sender stopped, another
  // track sent): nothing waits any more.
  constexpr int64_t kStalledMs = 300;
  constexpr size_t kMaxWaiting = 16;
  std::lock_guard<std::mutex> lock(gate_mu_);
  if (gated_ && rtc::TimeMillis() - progress_ms_ > kStalledMs) gated_ = false;
  waiting_.emplace_back(chunks, level);
  GiveWaiting(!gated_ || waiting_.size() > kMaxWaiting);
}

void RelayAudioFeed::Consumed(int chunks, bool sending) {
  std::lock_guard<std::mutex> lock(gate_mu_);
  // Chunks of an earlier feed still queued are not this feed's.
  consumed_ = std::min(consumed_ + chunks, given_);
  progress_ms_ = rtc::TimeMillis();
  // A chunk that makes a packet: the next chunks wait for Sent (after the packet's send task).
  if (!sending) GiveWaiting(!gated_);
}

void RelayAudioFeed::Sent(bool forwarding) {
  std::lock_guard<std::mutex> lock(gate_mu_);
  progress_ms_ = rtc::TimeMillis();
  // Counted from here: what was given before is taken as consumed (at worst one burst passes).
  if (forwarding && !gated_) consumed_ = given_;
  gated_ = forwarding;
  GiveWaiting(!forwarding);
}

// ---- RelayAudioSource

uint64_t RelayAudioSource::live() { return g_live.load(); }

rtc::scoped_refptr<RelayAudioSource> RelayAudioSource::Create(rtc::scoped_refptr<webrtc::AudioTrackInterface> from,
                                                              rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver,
                                                              rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver,
                                                              rtc::Thread* home) {
  auto source = rtc::make_ref_counted<RelayAudioSource>(std::move(from), std::move(receiver));
  source->from_->AddSink(source.get());
  if (!source->receiver_ || !transceiver || home == nullptr) return source;
  auto tap = rtc::make_ref_counted<OpusReceiveTap>();
  if (!TransformerSlots::ClaimForHook(source->receiver_.get(), tap.get())) return source;
  source->ReadPayloadTypes();
  tap->SetOwner(source.get());
  bool installed = home->BlockingCall([&] {
    auto* t = static_cast<webrtc::RtpTransceiverProxyWithInternal<webrtc::RtpTransceiver>*>(transceiver.get())->internal();
    cricket::ChannelInterface* channel = t->channel();
    rtc::scoped_refptr<webrtc::RtpReceiverInternal> r = t->receiver_internal();
    if (channel == nullptr || channel->media_type() != cricket::MEDIA_TYPE_AUDIO) return false;
    cricket::VoiceMediaChannel* media = channel->voice_media_channel();
    const uint32_t ssrc = r ? r->ssrc() : 0;
    if (ssrc != 0) {
      media->SetDepacketizerToDecoderFrameTransformer(ssrc, tap);
    } else {
      // A publisher that signals no SSRC: its stream is made when its first packet comes. One
      // made already (packets came before the track was sent on) gets the tap by its SSRC, which
      // only the channel's stats name.
      cricket::VoiceMediaInfo info;
      media->GetStats(&info, false);
      for (const cricket::VoiceReceiverInfo& receiver : info.receivers)
        if (receiver.ssrc() != 0) media->SetDepacketizerToDecoderFrameTransformer(receiver.ssrc(), tap);
    }
    // And in the streams the channel makes later (M108 gives its "unsignaled" transformer to
    // every new receive stream, signaled or not): when the publisher's SSRC changes, or its
    // stream is made again, the new stream has the tap too (media/chained_transformer.h).
    media->SetDepacketizerToDecoderFrameTransformer(0, tap);
    return true;
  });
  if (installed) {
    source->tap_ = tap;
  } else {
    tap->SetOwner(nullptr);
    TransformerSlots::ReleaseHook(source->receiver_.get(), tap.get());
  }
  return source;
}

RelayAudioSource::RelayAudioSource(rtc::scoped_refptr<webrtc::AudioTrackInterface> from,
                                   rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver)
    : from_(std::move(from)), receiver_(std::move(receiver)) {
  g_live++;
}

RelayAudioSource::~RelayAudioSource() {
  if (tap_) {
    tap_->SetOwner(nullptr);
    // The tap stays in the receiver (M108 cannot take it out) and passes frames on.
    TransformerSlots::ReleaseHook(receiver_.get(), tap_.get());
  }
  g_live--;
}

void RelayAudioSource::Detach() {
  if (!attached_.exchange(false)) return;
  if (tap_) tap_->SetOwner(nullptr);
  from_->RemoveSink(this);
}

void RelayAudioSource::ReadPayloadTypes() {
  if (!receiver_) return;
  std::set<uint8_t> opus;
  std::set<uint8_t> others;
  for (const webrtc::RtpCodecParameters& codec : receiver_->GetParameters().codecs)
    (absl::EqualsIgnoreCase(codec.name, "opus") ? opus : others).insert(static_cast<uint8_t>(codec.payload_type));
  std::lock_guard<std::mutex> lock(mu_);
  opus_types_ = std::move(opus);
  other_types_ = std::move(others);
}

rtc::scoped_refptr<RelayAudioFeed> RelayAudioSource::NewFeed() {
  if (tap_) ReadPayloadTypes();
  // Without the tap nothing is forwarded: the feed takes the decoded audio from the start.
  return rtc::make_ref_counted<RelayAudioFeed>(rtc::scoped_refptr<RelayAudioSource>(this), tap_ == nullptr);
}

void RelayAudioSource::AddFeed(RelayAudioFeed* feed) {
  std::lock_guard<std::mutex> lock(mu_);
  feeds_.push_back(feed);
}

void RelayAudioSource::RemoveFeed(RelayAudioFeed* feed) {
  std::lock_guard<std::mutex> lock(mu_);
  feeds_.erase(std::remove(feeds_.begin(), feeds_.end(), feed), feeds_.end());
}

void RelayAudioSource::CountPcm(int delta) {
  std::lock_guard<std::mutex> lock(demand_mu_);
  const bool had = pcm_feeds_ > 0;
  pcm_feeds_ += delta;
  const bool has = pcm_feeds_ > 0;
  if (has && !had) demand_ = AudioDemand::Hold(from_.get());
  else if (!has && had) demand_ = AudioDemand::Hold();
}

void RelayAudioSource::OnPacket(rtc::ArrayView<const uint8_t> payload, uint8_t payload_type, int level) {
  bool opus = false;
  bool known = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    opus = opus_types_.count(payload_type) != 0;
    known = opus || other_types_.count(payload_type) != 0;
  }
  if (!known) {
    // A payload type the receiver did not have when last read: its codecs come with the local
    // description, which may follow the first sender (a track sent on from `ontrack`, during
    // setRemoteDescription). Read again, at most every 200 ms. The tap runs on the receiver's
    // worker thread, where the proxy calls the receiver directly.
    const int64_t now = rtc::TimeMillis();
    if (now - last_read_ms_.load() >= 200) {
      last_read_ms_ = now;
      ReadPayloadTypes();
      std::lock_guard<std::mutex> lock(mu_);
      opus = opus_types_.count(payload_type) != 0;
    }
  }
  const int samples = opus ? OpusPacketSamples48k(payload) : 0;
  // Not Opus, or not a whole number of 10 ms: not kept, and the ring goes stale. The silence
  // pushed for it (20 ms) only drives the senders' encoders, whose routes then find nothing to
  // forward and switch their feeds to the decoded audio (media/audio_forward_route.h). A sender
  // that does not stand in (a disabled track) encodes what it is given: silence then.
  const bool kept = samples != 0 && samples % kChunk == 0;
  if (kept) ring_->Push(payload, samples, rtc::TimeMillis());
  if (!kept || muted_.load()) level = 127;
  std::lock_guard<std::mutex> lock(mu_);
  for (RelayAudioFeed* feed : feeds_)
    if (!feed->pcm()) feed->PushLevel(kept ? samples / kChunk : 2, level);
}

void RelayAudioSource::OnData(const void* audio_data, int bits_per_sample, int sample_rate, size_t number_of_channels,
                              size_t number_of_frames) {
  if (DemandAudioMixer::Draining()) return;  // a backlog nobody hears (media/demand_audio_mixer.h)
  if (muted_.load()) {
    thread_local std::vector<int16_t> zeros;
    zeros.assign(number_of_channels * number_of_frames * static_cast<size_t>(bits_per_sample / 16), 0);
    audio_data = zeros.data();
  }
  std::lock_guard<std::mutex> lock(mu_);
  for (RelayAudioFeed* feed : feeds_)
    if (feed->pcm()) feed->Deliver(audio_data, bits_per_sample, sample_rate, number_of_channels, number_of_frames);
}

}  // namespace nlw
