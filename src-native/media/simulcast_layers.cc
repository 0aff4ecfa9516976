#include "media/simulcast_layers.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <utility>

#include "media/base/stream_params.h"
#include "media/engine/webrtc_video_engine.h"
#include "pc/channel_interface.h"
#include "pc/peer_connection_internal.h"
#include "pc/rtp_transceiver.h"
#include "pc/session_description.h"
#include "pc/video_rtp_track_source.h"
#include "pc/video_track_source_proxy.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {

constexpr int kPollMs = 100;          // while layers are missing
constexpr int kSettledPollMs = 1000;  // once every layer has its stream (an SSRC may change)
constexpr int64_t kRateWindowMs = 1000;
// The track's sink moves to the largest layer once every layer has a stream and a size, or this
// long after the first layer got its stream (a layer the publisher does not send yet).
constexpr int64_t kBindWaitMs = 3000;

std::atomic<uint64_t> g_live{0};
std::mutex g_registry_mu;
std::map<const webrtc::VideoTrackSourceInterface*, SimulcastLayers*>& Registry() {
  static auto* registry = new std::map<const webrtc::VideoTrackSourceInterface*, SimulcastLayers*>();
  return *registry;
}

// The video channel of a transceiver (its connection's thread), or null (also for no transceiver:
// a watcher whose connection closed, SimulcastLayers::Forget).
cricket::WebRtcVideoChannel* VideoChannelOf(webrtc::RtpTransceiverInterface* proxy) {
  if (proxy == nullptr) return nullptr;
  auto* t = static_cast<webrtc::RtpTransceiverProxyWithInternal<webrtc::RtpTransceiver>*>(proxy)->internal();
  if (t == nullptr || t->stopped() || t->media_type() != cricket::MEDIA_TYPE_VIDEO) return nullptr;
  cricket::ChannelInterface* channel = t->channel();
  if (channel == nullptr) return nullptr;
  // Our factory's video engine is libwebrtc's WebRtcVideoEngine: its channels are WebRtcVideoChannels.
  return static_cast<cricket::WebRtcVideoChannel*>(channel->video_media_channel());
}

// The number of layers the local description accepted for `mid` (0 or 1: no simulcast).
int AcceptedLayers(webrtc::PeerConnectionInternal* pc, const std::string& mid) {
  const webrtc::SessionDescriptionInterface* local = pc->local_description();
  if (local == nullptr || local->GetType() != webrtc::SdpType::kAnswer) return 0;
  const cricket::ContentInfo* content = local->description()->GetContentByName(mid);
  if (content == nullptr || content->rejected || content->media_description() == nullptr) return 0;
  const cricket::MediaContentDescription* media = content->media_description();
  if (media->type() != cricket::MEDIA_TYPE_VIDEO) return 0;
  return static_cast<int>(media->simulcast_description().receive_layers().size());
}

}  // namespace

uint64_t SimulcastLayers::live() { return g_live.load(); }

void SimulcastLayers::Update(webrtc::PeerConnectionInternal* pc) {
  if (pc == nullptr) return;
  for (const auto& proxy : pc->GetTransceiversInternal()) {
    webrtc::RtpTransceiver* t = proxy->internal();
    if (t->media_type() != cricket::MEDIA_TYPE_VIDEO || t->stopped() || !t->mid()) continue;
    const int expected = AcceptedLayers(pc, *t->mid());
    if (expected < 2) continue;
    rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track = t->receiver()->track();
    if (!track) continue;
    auto* video = static_cast<webrtc::VideoTrackInterface*>(track.get());
    rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source(video->GetSource());
    if (!source) continue;
    {
      std::lock_guard<std::mutex> lock(g_registry_mu);
      if (Registry().count(source.get()) != 0) continue;
    }
    rtc::scoped_refptr<SimulcastLayers> layers(new SimulcastLayers(
        rtc::scoped_refptr<webrtc::RtpTransceiverInterface>(proxy.get()), rtc::Thread::Current(), expected, pc));
    Schedule(layers, 0);
  }
}

void SimulcastLayers::Forget(webrtc::PeerConnectionInternal* pc) {
  // No reference is taken: a watcher whose last reference just went on another thread waits in
  // its destructor for this lock, and one taken now would bring it back. Under the lock it is
  // still whole; the transceivers are released after it (on this thread, their proxies' own).
  std::vector<rtc::scoped_refptr<webrtc::RtpTransceiverInterface>> released;
  {
    std::lock_guard<std::mutex> lock(g_registry_mu);
    for (const auto& [source, layers] : Registry()) {
      if (layers->pc_ != pc) continue;
      released.push_back(std::move(layers->transceiver_));  // its next poll ends it
    }
  }
}

rtc::scoped_refptr<SimulcastLayers> SimulcastLayers::Find(const webrtc::VideoTrackSourceInterface* source) {
  std::lock_guard<std::mutex> lock(g_registry_mu);
  auto it = Registry().find(source);
  if (it == Registry().end() || !it->second->TryAddRef()) return nullptr;
  // The entry is whole while the lock is held (the destructor takes it out under it first), and
  // the count was above zero: the reference taken is a real one; adopt it.
  SimulcastLayers* taken = it->second;
  rtc::scoped_refptr<SimulcastLayers> found;
  found.swap(&taken);
  return found;
}

void SimulcastLayers::AddRef() const { refs_.fetch_add(1, std::memory_order_relaxed); }

rtc::RefCountReleaseStatus SimulcastLayers::Release() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) != 1) return rtc::RefCountReleaseStatus::kOtherRefsRemained;
  delete this;
  return rtc::RefCountReleaseStatus::kDroppedLastRef;
}

bool SimulcastLayers::TryAddRef() const {
  int n = refs_.load(std::memory_order_relaxed);
  while (n > 0) {
    if (refs_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed)) return true;
  }
  return false;
}

SimulcastLayers::SimulcastLayers(rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver, rtc::Thread* home,
                                 int expected, const webrtc::PeerConnectionInternal* pc)
    : transceiver_(std::move(transceiver)), home_(home), pc_(pc), expected_(expected), key_(nullptr) {
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track = transceiver_->receiver()->track();
  key_ = static_cast<webrtc::VideoTrackInterface*>(track.get())->GetSource();
  std::lock_guard<std::mutex> lock(g_registry_mu);
  Registry()[key_] = this;
  g_live.fetch_add(1);
}

SimulcastLayers::~SimulcastLayers() {
  std::lock_guard<std::mutex> lock(g_registry_mu);
  auto it = Registry().find(key_);
  if (it != Registry().end() && it->second == this) Registry().erase(it);
  g_live.fetch_sub(1);
}

void SimulcastLayers::Schedule(rtc::scoped_refptr<SimulcastLayers> self, int delay_ms) {
  rtc::Thread* home = self->home_;
  home->PostDelayedTask([self = std::move(self)]() mutable {
    self->Poll();
    if (self->ended_) return;  // the last reference of the task goes: the watcher ends
    const bool settled = static_cast<int>(self->Layers().size()) >= self->expected_;
    Schedule(std::move(self), settled ? kSettledPollMs : kPollMs);
  }, webrtc::TimeDelta::Millis(delay_ms));
}

void SimulcastLayers::Poll() {
  cricket::WebRtcVideoChannel* channel = VideoChannelOf(transceiver_.get());
  if (channel == nullptr) {
    // Forgotten, stopped, or its track ended (the connection closed): nothing more to receive.
    ended_ = !transceiver_ || transceiver_->stopped() ||
             transceiver_->receiver()->track()->state() == webrtc::MediaStreamTrackInterface::kEnded;
    return;
  }
  absl::optional<uint32_t> ssrc = channel->GetDefaultReceiveStreamSsrc();
  if (ssrc) {
    bool known = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const LayerState& s : layers_) known = known || s.layer.ssrc == *ssrc;
      if (!known) {
        LayerState s;
        s.layer.ssrc = *ssrc;
        s.gate = rtc::make_ref_counted<DecodeGate>(nullptr, this);
        s.window_start_ms = rtc::TimeMillis();
        layers_.push_back(s);
      }
    }
    if (!known) {
      channel->AddRecvStream(cricket::StreamParams::CreateLegacy(*ssrc));
      const uint32_t id = *ssrc;
      channel->SetRecordableEncodedFrameCallback(
          id, [self = rtc::scoped_refptr<SimulcastLayers>(this), id](const webrtc::RecordableEncodedFrame& frame) {
            self->OnFrame(id, frame);
          });
      channel->GenerateKeyFrame(id);  // its size, soon
      if (first_signaled_ms_ == 0) first_signaled_ms_ = rtc::TimeMillis();
    }
  }
  BindTrackSink();
}

void SimulcastLayers::BindTrackSink() {
  std::vector<Layer> layers = Layers();
  if (layers.empty()) return;
  if (sink_ssrc_ == 0) {
    // The first binding links each stream's decoder to its gate (media/decode_gate.h) for good:
    // it waits until the order is known. Until then the default stream (of the layers not yet
    // signaled) shows on the track.
    bool sized = static_cast<int>(layers.size()) >= expected_;
    for (const Layer& l : layers) sized = sized && l.width > 0;
    if (!sized && rtc::TimeMillis() - first_signaled_ms_ < kBindWaitMs) return;
  }
  const uint32_t largest = layers.back().ssrc;
  if (largest == sink_ssrc_ && layers.size() == bound_layers_) return;
  cricket::WebRtcVideoChannel* channel = VideoChannelOf(transceiver_.get());
  if (channel == nullptr) return;
  rtc::scoped_refptr<webrtc::MediaStreamTrackInterface> track = transceiver_->receiver()->track();
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> proxy(static_cast<webrtc::VideoTrackInterface*>(track.get())->GetSource());
  // A receiver's track source: libwebrtc's VideoRtpTrackSource behind its proxy.
  auto* source = static_cast<webrtc::VideoRtpTrackSource*>(
      static_cast<webrtc::VideoTrackSourceProxy*>(proxy.get())->internal());
  std::vector<std::pair<uint32_t, rtc::VideoSinkInterface<webrtc::VideoFrame>*>> sinks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (LayerState& s : layers_) {
      // The largest's decoder may have been linked to the layer's own gate: it stays open from now on.
      if (s.layer.ssrc == largest) s.gate->Pin();
      sinks.emplace_back(s.layer.ssrc, s.layer.ssrc == largest ? source->sink() : s.gate.get());
    }
  }
  for (const auto& [ssrc, sink] : sinks) channel->SetSink(ssrc, sink);
  sink_ssrc_ = largest;
  bound_layers_ = layers.size();
}

void SimulcastLayers::OnFrame(uint32_t ssrc, const webrtc::RecordableEncodedFrame& frame) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (LayerState& s : layers_) {
      if (s.layer.ssrc != ssrc) continue;
      s.layer.frames++;
      if (frame.is_key_frame() && !frame.resolution().empty()) {
        s.layer.width = static_cast<int>(frame.resolution().width);
        s.layer.height = static_cast<int>(frame.resolution().height);
      }
      rtc::scoped_refptr<const webrtc::EncodedImageBufferInterface> data = frame.encoded_buffer();
      s.window_bytes += data ? data->size() : 0;
      const int64_t now = rtc::TimeMillis();
      if (now - s.window_start_ms >= kRateWindowMs) {
        s.layer.bitrate_bps = 8000.0 * static_cast<double>(s.window_bytes) / static_cast<double>(now - s.window_start_ms);
        s.window_bytes = 0;
        s.window_start_ms = now;
      }
    }
  }
  std::lock_guard<std::mutex> lock(listener_mu_);
  if (listener_ != nullptr) listener_->OnLayerFrame(ssrc, frame);
}

void SimulcastLayers::SetListener(Listener* listener) {
  std::lock_guard<std::mutex> lock(listener_mu_);
  listener_ = listener;
}

void SimulcastLayers::RequestKeyFrame(uint32_t ssrc) {
  home_->PostTask([self = rtc::scoped_refptr<SimulcastLayers>(this), ssrc] {
    if (cricket::WebRtcVideoChannel* channel = VideoChannelOf(self->transceiver_.get())) channel->GenerateKeyFrame(ssrc);
  });
}

std::vector<SimulcastLayers::Layer> SimulcastLayers::Layers() const {
  std::vector<Layer> out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const LayerState& s : layers_) out.push_back(s.layer);
  }
  std::stable_sort(out.begin(), out.end(), [](const Layer& a, const Layer& b) {
    const int64_t pa = static_cast<int64_t>(a.width) * a.height, pb = static_cast<int64_t>(b.width) * b.height;
    if (pa != pb) return pa < pb;
    return a.bitrate_bps < b.bitrate_bps;
  });
  return out;
}

bool SimulcastLayers::Rank(uint32_t ssrc, int* rank, int* count) const {
  std::vector<Layer> layers = Layers();
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].ssrc != ssrc) continue;
    *rank = static_cast<int>(i);
    *count = static_cast<int>(layers.size());
    return true;
  }
  return false;
}

}  // namespace nlw
