#include "media/decode_gate.h"

#include <mutex>
#include <unordered_map>

#include "rtc_base/ref_counted_object.h"
#include "rtc_base/time_utils.h"

namespace nlw {

namespace {

std::atomic<uint64_t> g_live{0};

// Gates by their remote source (registry for Find).
std::mutex g_mu;
std::unordered_map<const void*, DecodeGate*>& Registry() {
  static auto* registry = new std::unordered_map<const void*, DecodeGate*>();
  return *registry;
}

// Decoders not linked yet, by the buffer of their last picture (under g_mu).
std::unordered_map<const void*, rtc::scoped_refptr<DecoderLink>>& Pending() {
  static auto* pending = new std::unordered_map<const void*, rtc::scoped_refptr<DecoderLink>>();
  return *pending;
}
std::atomic<size_t> g_pending_size{0};

const void* SourceOf(webrtc::MediaStreamTrackInterface* track) {
  if (track == nullptr || track->kind() != webrtc::MediaStreamTrackInterface::kVideoKind) return nullptr;
  return static_cast<webrtc::VideoTrackInterface*>(track)->GetSource();
}

}  // namespace

std::atomic<uint64_t> DecodeGate::decoded_{0};
std::atomic<uint64_t> DecodeGate::skipped_{0};

uint64_t DecodeGate::live() { return g_live.load(); }

DecodeGate::DecodeGate(rtc::scoped_refptr<webrtc::VideoTrackInterface> track, const void* key)
    : track_(std::move(track)), key_(key) {
  g_live.fetch_add(1);
}

DecodeGate::~DecodeGate() { g_live.fetch_sub(1); }

rtc::scoped_refptr<DecodeGate> DecodeGate::Attach(rtc::scoped_refptr<webrtc::VideoTrackInterface> track) {
  if (!track) return nullptr;
  const void* key = SourceOf(track.get());
  if (key == nullptr) return nullptr;
  auto gate = rtc::make_ref_counted<DecodeGate>(track, key);
  {
    std::lock_guard<std::mutex> lock(g_mu);
    Registry()[key] = gate.get();
  }
  track->AddOrUpdateSink(gate.get(), rtc::VideoSinkWants());
  return gate;
}

rtc::scoped_refptr<DecodeGate> DecodeGate::Find(webrtc::MediaStreamTrackInterface* track) {
  const void* key = SourceOf(track);
  if (key == nullptr) return nullptr;
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = Registry().find(key);
  return it == Registry().end() ? nullptr : rtc::scoped_refptr<DecodeGate>(it->second);
}

void DecodeGate::Detach() {
  rtc::scoped_refptr<webrtc::VideoTrackInterface> track = std::move(track_);
  if (!track) return;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Registry().find(key_);
    if (it != Registry().end() && it->second == this) Registry().erase(it);
  }
  detached_.store(true);
  // After it returns, OnFrame is called no more (the broadcaster removes under its lock).
  track->RemoveSink(this);
}

void DecodeGate::AddDemand() { demand_.fetch_add(1); }
void DecodeGate::RemoveDemand() { demand_.fetch_sub(1); }
void DecodeGate::Pin() { demand_.fetch_add(1 << 20); }

void DecodeGate::CountPicture() {
  pictures_.fetch_add(1, std::memory_order_relaxed);
  rate_.Count();
}

void DecodeGate::OnFrame(const webrtc::VideoFrame& frame) {
  CountPicture();
  if (g_pending_size.load(std::memory_order_relaxed) == 0) return;
  rtc::scoped_refptr<DecoderLink> link;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Pending().find(frame.video_frame_buffer().get());
    if (it == Pending().end()) return;
    link = std::move(it->second);
    link->noted_ = nullptr;
    Pending().erase(it);
    g_pending_size.store(Pending().size());
  }
  std::lock_guard<std::mutex> lock(link->mu_);
  link->gate_ = rtc::scoped_refptr<DecodeGate>(this);
}

void DecoderLink::NoteDecoded(const void* buffer) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (noted_ != nullptr) {
    auto it = Pending().find(noted_);
    if (it != Pending().end() && it->second.get() == this) Pending().erase(it);
  }
  noted_ = buffer;
  Pending()[buffer] = rtc::scoped_refptr<DecoderLink>(this);
  g_pending_size.store(Pending().size());
}

void DecoderLink::Forget() {
  {
    std::lock_guard<std::mutex> lock(g_mu);
    if (noted_ != nullptr) {
      auto it = Pending().find(noted_);
      if (it != Pending().end() && it->second.get() == this) Pending().erase(it);
      noted_ = nullptr;
      g_pending_size.store(Pending().size());
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  gate_ = nullptr;
}

rtc::scoped_refptr<DecodeGate> DecoderLink::gate() {
  std::lock_guard<std::mutex> lock(mu_);
  return gate_;
}

bool DecoderLink::linked() {
  std::lock_guard<std::mutex> lock(mu_);
  return gate_ != nullptr;
}

PictureDemand::PictureDemand(webrtc::MediaStreamTrackInterface* track) : PictureDemand(DecodeGate::Find(track)) {}

PictureDemand::PictureDemand(rtc::scoped_refptr<DecodeGate> gate) : gate_(std::move(gate)) {
  if (gate_) gate_->AddDemand();
}

PictureDemand& PictureDemand::operator=(PictureDemand&& other) noexcept {
  if (this != &other) {
    Reset();
    gate_ = std::move(other.gate_);
  }
  return *this;
}

void PictureDemand::Reset() {
  if (gate_) gate_->RemoveDemand();
  gate_ = nullptr;
}

}  // namespace nlw
