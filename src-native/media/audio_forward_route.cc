#include "media/audio_forward_route.h"

#include <set>
#include <unordered_map>

#include "api/make_ref_counted.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {
constexpr int kChunk = 480;         // 10 ms at 48 kHz
constexpr int kMaxPendingChunks = 12;  // 120 ms given with no packet to send: let it go
constexpr int kMissesForPcm = 3;

std::atomic<uint64_t> g_forwarded{0};
std::atomic<uint64_t> g_live{0};

std::mutex registry_mu;
// Never destroyed: used at exit. Raw pointers, removed by the routes before they go.
std::unordered_map<webrtc::TaskQueueBase*, AudioForwardRoute*>& Queues() {
  static auto* queues = new std::unordered_map<webrtc::TaskQueueBase*, AudioForwardRoute*>();
  return *queues;
}
std::set<AudioForwardRoute*>& Routes() {
  static auto* routes = new std::set<AudioForwardRoute*>();
  return *routes;
}
// The route of each sender (by the sender proxy's address).
std::unordered_map<const void*, AudioForwardRoute*>& BySender() {
  static auto* by_sender = new std::unordered_map<const void*, AudioForwardRoute*>();
  return *by_sender;
}
}  // namespace

uint64_t AudioForwardRoute::forwarded_packets() { return g_forwarded.load(); }
uint64_t AudioForwardRoute::live() { return g_live.load(); }

void AudioForwardRoute::Bind(const rtc::scoped_refptr<webrtc::RtpSenderInterface>& sender,
                             rtc::scoped_refptr<RelayAudioFeed> feed) {
  rtc::scoped_refptr<AudioForwardRoute> route = Of(sender, feed != nullptr);
  if (route) route->SetFeed(feed);
  else if (feed) feed->SetPcm(true);
}

rtc::scoped_refptr<AudioForwardRoute> AudioForwardRoute::Of(const rtc::scoped_refptr<webrtc::RtpSenderInterface>& sender,
                                                            bool create) {
  static std::mutex of_mu;  // JS threads of several environments
  if (!sender) return nullptr;
  std::lock_guard<std::mutex> lock(of_mu);
  {
    // The sender is alive (the caller holds it), and so is its route (the sender holds it).
    std::lock_guard<std::mutex> registry(registry_mu);
    auto it = BySender().find(sender.get());
    if (it != BySender().end()) return rtc::scoped_refptr<AudioForwardRoute>(it->second);
  }
  if (!create) return nullptr;
  auto route = rtc::make_ref_counted<AudioForwardRoute>(sender.get());
  if (!TransformerSlots::ClaimForHook(sender.get(), route.get())) return nullptr;
  {
    std::lock_guard<std::mutex> registry(registry_mu);
    BySender()[sender.get()] = route.get();
  }
  sender->SetEncoderToPacketizerFrameTransformer(route);
  return route;
}

AudioForwardRoute::AudioForwardRoute(const void* sender_key) : sender_key_(sender_key) {
  g_live++;
  std::lock_guard<std::mutex> lock(registry_mu);
  Routes().insert(this);
}

AudioForwardRoute::~AudioForwardRoute() {
  {
    std::lock_guard<std::mutex> lock(registry_mu);
    Routes().erase(this);
    auto by = BySender().find(sender_key_);
    if (by != BySender().end() && by->second == this) BySender().erase(by);
    for (auto it = Queues().begin(); it != Queues().end();) it = it->second == this ? Queues().erase(it) : std::next(it);
  }
  TransformerSlots::ReleaseHook(sender_key_, this);
  g_live--;
}

void AudioForwardRoute::SetFeed(rtc::scoped_refptr<RelayAudioFeed> feed) {
  rtc::scoped_refptr<RelayAudioFeed> old;
  std::lock_guard<std::mutex> lock(mu_);
  old = std::move(feed_);
  feed_ = std::move(feed);
  cursor_ = 0;
  pending_chunks_ = 0;
  emitted_ = false;
  broken_ = false;
  misses_ = 0;
  forwarding_ = false;
}

rtc::scoped_refptr<AudioForwardRoute> AudioForwardRoute::Current() {
  webrtc::TaskQueueBase* queue = webrtc::TaskQueueBase::Current();
  if (queue == nullptr) return nullptr;
  std::lock_guard<std::mutex> lock(registry_mu);
  auto it = Queues().find(queue);
  return it == Queues().end() ? nullptr : rtc::scoped_refptr<AudioForwardRoute>(it->second);
}

void AudioForwardRoute::SetQueue(webrtc::TaskQueueBase* queue) {
  if (queue == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_ == queue) return;
    queue_ = queue;
  }
  std::lock_guard<std::mutex> lock(registry_mu);
  for (auto it = Queues().begin(); it != Queues().end();) it = it->second == this ? Queues().erase(it) : std::next(it);
  Queues()[queue] = this;
}

void AudioForwardRoute::UnregisterTransformedFrameCallback() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_ = nullptr;
    emitted_ = false;
    pending_chunks_ = 0;
  }
  {
    std::lock_guard<std::mutex> lock(registry_mu);
    for (auto it = Queues().begin(); it != Queues().end();) it = it->second == this ? Queues().erase(it) : std::next(it);
  }
  forwarding_ = false;
  ChainedTransformer::UnregisterTransformedFrameCallback();
}

bool AudioForwardRoute::StandIn(uint32_t rtp_timestamp, rtc::Buffer* encoded, webrtc::AudioEncoder::EncodedInfo* info) {
  rtc::scoped_refptr<RelayAudioFeed> feed;
  bool sending = false;
  const bool standing_in = StandInLocked(rtp_timestamp, encoded, info, &feed, &sending);
  // Outside the lock: the feed may give the next packet's chunks (media/relay_audio_source.h).
  if (standing_in && feed) feed->Consumed(1, sending);
  return standing_in;
}

bool AudioForwardRoute::StandInLocked(uint32_t rtp_timestamp, rtc::Buffer* encoded,
                                      webrtc::AudioEncoder::EncodedInfo* info,
                                      rtc::scoped_refptr<RelayAudioFeed>* feed_out, bool* sending) {
  std::lock_guard<std::mutex> lock(mu_);
  *feed_out = feed_;
  if (emitted_) {
    // The last dummy byte did not reach Transform: this route is not the sender's transformer
    // any more. Encode for good.
    emitted_ = false;
    broken_ = true;
  }
  if (broken_ || !feed_ || feed_->muted() || !feed_->attached() || !feed_->ring()->Fresh(rtc::TimeMillis())) {
    pending_chunks_ = 0;
    return false;
  }
  const OpusPacketRing& ring = *feed_->ring();
  const uint64_t newest = ring.newest();
  // Start at the newest packet (the one whose audio is arriving), and catch up after a stall.
  if (cursor_ == 0 || cursor_ + OpusPacketRing::kSize <= newest) cursor_ = newest;
  if (pending_chunks_ == 0) first_timestamp_ = rtp_timestamp;
  pending_chunks_++;
  OpusPacketRing::Packet packet;
  if (ring.Get(cursor_, &packet)) {
    if (pending_chunks_ * kChunk >= packet.samples) {
      ready_ = std::move(packet);
      cursor_++;
      pending_chunks_ = 0;
      emitted_ = true;
      *sending = true;
      encoded->AppendData(static_cast<uint8_t>(0));
      info->encoded_bytes = 1;
      info->encoded_timestamp = first_timestamp_;
      info->encoder_type = webrtc::AudioEncoder::CodecType::kOpus;
      info->speech = true;
    }
  } else if (pending_chunks_ > kMaxPendingChunks) {
    pending_chunks_ = 0;
  }
  return true;
}

void AudioForwardRoute::Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) {
  SetQueue(webrtc::TaskQueueBase::Current());
  rtc::scoped_refptr<RelayAudioFeed> feed;
  bool replaced = false;
  bool want_pcm = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (emitted_ && frame->GetData().size() == 1) {
      frame->SetData(rtc::ArrayView<const uint8_t>(ready_.payload.cdata(), ready_.payload.size()));
      replaced = true;
    }
    emitted_ = false;
    ready_ = OpusPacketRing::Packet();
    misses_ = replaced ? 0 : misses_ + 1;
    feed = feed_;
    want_pcm = misses_ >= kMissesForPcm;
  }
  if (replaced) {
    g_forwarded++;
    ssrc_ = frame->GetSsrc();
  }
  forwarding_ = replaced;
  // Outside the lock: taking the decoded audio may wait for the decoder (media/audio_demand.h).
  // A disabled track sends the encoded silence it is given: no need to decode.
  if (feed && (replaced || (want_pcm && !feed->muted()))) feed->SetPcm(want_pcm);
  Pass(std::move(frame));
  // After Pass: the chunks the feed gives now queue behind this packet's sending.
  if (feed) feed->Sent(replaced);
}

bool AudioForwardRoute::ForwardsSsrc(uint32_t ssrc) {
  std::lock_guard<std::mutex> lock(registry_mu);
  for (AudioForwardRoute* route : Routes())
    if (route->forwarding_.load() && route->ssrc_.load() == ssrc) return true;
  return false;
}

}  // namespace nlw
