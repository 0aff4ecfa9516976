// A sender's own send path, held shut while RTP forwarding (media/rtp_forwarder.h) sends for it.
// The gate is per sender: a relayed track given to a sender gets a source of its own whose sinks
// (the sender's encoder) see nothing while the gate is shut.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "api/media_stream_interface.h"

namespace nlw {

// Shut from the start: the forwarder opens it when it finds it cannot forward for the sender.
struct ForwardGate {
  std::atomic<bool> shut{true};
};

// A relayed video source seen through one sender's gate. Everything else is the relayed source's.
class GatedVideoSource : public webrtc::VideoTrackSourceInterface {
 public:
  GatedVideoSource(rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source, std::shared_ptr<ForwardGate> gate)
      : source_(std::move(source)), gate_(std::move(gate)) {}
  ~GatedVideoSource() override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [sink, gated] : sinks_) source_->RemoveSink(gated.get());
  }

  void AddOrUpdateSink(rtc::VideoSinkInterface<webrtc::VideoFrame>* sink, const rtc::VideoSinkWants& wants) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::unique_ptr<Gated>& gated = sinks_[sink];
    if (!gated) gated = std::make_unique<Gated>(sink, gate_);
    had_sinks_ = true;
    source_->AddOrUpdateSink(gated.get(), wants);
  }
  void RemoveSink(rtc::VideoSinkInterface<webrtc::VideoFrame>* sink) override {
    std::unique_ptr<Gated> gone;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = sinks_.find(sink);
      if (it == sinks_.end()) return;
      gone = std::move(it->second);
      sinks_.erase(it);
    }
    source_->RemoveSink(gone.get());  // no frame reaches it after this returns
  }

  // Any thread: a sender took this source's frames and let them go (its track is no longer sent).
  bool Idle() {
    std::lock_guard<std::mutex> lock(mu_);
    return had_sinks_ && sinks_.empty();
  }

  void RegisterObserver(webrtc::ObserverInterface*) override {}
  void UnregisterObserver(webrtc::ObserverInterface*) override {}
  SourceState state() const override { return source_->state(); }
  bool remote() const override { return source_->remote(); }
  bool is_screencast() const override { return source_->is_screencast(); }
  absl::optional<bool> needs_denoising() const override { return source_->needs_denoising(); }
  bool GetStats(Stats* stats) override { return source_->GetStats(stats); }
  bool SupportsEncodedOutput() const override { return false; }
  void GenerateKeyFrame() override { source_->GenerateKeyFrame(); }
  void AddEncodedSink(rtc::VideoSinkInterface<webrtc::RecordableEncodedFrame>*) override {}
  void RemoveEncodedSink(rtc::VideoSinkInterface<webrtc::RecordableEncodedFrame>*) override {}

 private:
  struct Gated : rtc::VideoSinkInterface<webrtc::VideoFrame> {
    Gated(rtc::VideoSinkInterface<webrtc::VideoFrame>* sink, std::shared_ptr<ForwardGate> gate)
        : sink(sink), gate(std::move(gate)) {}
    void OnFrame(const webrtc::VideoFrame& frame) override {
      if (!gate->shut.load(std::memory_order_relaxed)) sink->OnFrame(frame);
    }
    void OnDiscardedFrame() override { sink->OnDiscardedFrame(); }
    rtc::VideoSinkInterface<webrtc::VideoFrame>* const sink;
    const std::shared_ptr<ForwardGate> gate;
  };
  const rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source_;
  const std::shared_ptr<ForwardGate> gate_;
  std::mutex mu_;
  std::map<rtc::VideoSinkInterface<webrtc::VideoFrame>*, std::unique_ptr<Gated>> sinks_;  // under mu_
  bool had_sinks_ = false;                                                                 // under mu_
};

}  // namespace nlw
