#include "media/decode_gate.h"

#include <mutex>
#include <unordered_map>

#include "rtc_base/ref_counted_object.h"

namespace nlw {

namespace {

std::atomic<uint64_t> g_live{0};

// Gates by their remote source (registry for Find).
std::mutex g_mu;
std::unordered_map<const void*, DecodeGate*>& Registry() {
  static auto* registry = new std::unordered_map<const void*, DecodeGate*>();
  return *registry;
}

// The gate of the stream decoded on this thread (a receive stream's decode thread).
thread_local rtc::scoped_refptr<DecodeGate> t_gate;

const void* SourceOf(webrtc::MediaStreamTrackInterface* track) {
  if (track == nullptr || track->kind() != webrtc::MediaStreamTrackInterface::kVideoKind) return nullptr;
  return static_cast<webrtc::VideoTrackInterface*>(track)->GetSource();
}

}  // namespace

std::atomic<uint64_t> DecodeGate::decoded_{0};
std::atomic<uint64_t> DecodeGate::skipped_{0};

uint64_t DecodeGate::live() { return g_live.load(); }

DecodeGate::DecodeGate(rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source) : source_(std::move(source)) {
  g_live.fetch_add(1);
}

DecodeGate::~DecodeGate() { g_live.fetch_sub(1); }

rtc::scoped_refptr<DecodeGate> DecodeGate::Attach(rtc::scoped_refptr<webrtc::VideoTrackInterface> track) {
  if (!track) return nullptr;
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source(track->GetSource());
  if (!source) return nullptr;
  auto gate = rtc::make_ref_counted<DecodeGate>(source);
  {
    std::lock_guard<std::mutex> lock(g_mu);
    Registry()[source.get()] = gate.get();
  }
  source->AddEncodedSink(gate.get());
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
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source = std::move(source_);
  if (!source) return;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    auto it = Registry().find(source.get());
    if (it != Registry().end() && it->second == this) Registry().erase(it);
  }
  detached_.store(true);
  // After it returns, the source calls OnFrame no more (it removes under its lock).
  source->RemoveEncodedSink(this);
}

void DecodeGate::AddDemand() { demand_.fetch_add(1); }
void DecodeGate::RemoveDemand() { demand_.fetch_sub(1); }
void DecodeGate::Pin() { demand_.fetch_add(1 << 20); }

DecodeGate* DecodeGate::OfThisThread() { return t_gate.get(); }

void DecodeGate::OnFrame(const webrtc::RecordableEncodedFrame&) {
  if (t_gate.get() != this) t_gate = rtc::scoped_refptr<DecodeGate>(this);
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
