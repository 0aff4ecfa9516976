#include "media/audio_demand.h"

#include <chrono>
#include <mutex>
#include <unordered_map>

namespace nlw {

namespace {
std::atomic<uint64_t> g_live{0};
std::mutex registry_mu;
// Weak: an entry lives as long as a holder (a remote track's RemoteTrackInfo, a consumer).
std::unordered_map<const void*, std::weak_ptr<AudioDemand>>& Registry() {
  static auto* registry = new std::unordered_map<const void*, std::weak_ptr<AudioDemand>>();  // never destroyed: used at exit
  return *registry;
}
}  // namespace

AudioDemand::AudioDemand() { g_live++; }
AudioDemand::~AudioDemand() { g_live--; }
uint64_t AudioDemand::live() { return g_live.load(); }

std::shared_ptr<AudioDemand> AudioDemand::Of(webrtc::MediaStreamTrackInterface* track) {
  if (track == nullptr || track->kind() != webrtc::MediaStreamTrackInterface::kAudioKind) return nullptr;
  const void* key = static_cast<webrtc::AudioTrackInterface*>(track)->GetSource();
  if (key == nullptr) key = track;
  std::lock_guard<std::mutex> lock(registry_mu);
  auto& registry = Registry();
  auto it = registry.find(key);
  if (it != registry.end()) {
    if (auto demand = it->second.lock()) return demand;
  }
  // Drop expired entries now and then, so the map stays as small as the live tracks.
  if (registry.size() >= 64 && registry.size() % 64 == 0) {
    for (auto e = registry.begin(); e != registry.end();) e = e->second.expired() ? registry.erase(e) : std::next(e);
  }
  auto demand = std::make_shared<AudioDemand>();
  registry[key] = demand;
  return demand;
}

AudioDemand::Hold::Hold(webrtc::MediaStreamTrackInterface* track) : demand_(Of(track)) {
  if (!demand_) return;
  demand_->consumers_.fetch_add(1);
  if (demand_->stale()) demand_->WaitFresh();
}

void AudioDemand::MarkFresh() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stale_.store(false);
  }
  cv_.notify_all();
}

void AudioDemand::WaitFresh() {
  // The mixer drains at its next 10 ms pull; bounded, as the device may have stopped pulling.
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return !stale_.load(); });
}

AudioDemand::Hold& AudioDemand::Hold::operator=(Hold&& other) noexcept {
  if (this != &other) {
    Release();
    demand_ = std::move(other.demand_);
  }
  return *this;
}

void AudioDemand::Hold::Release() {
  if (demand_) demand_->consumers_.fetch_sub(1);
  demand_ = nullptr;
}

}  // namespace nlw
