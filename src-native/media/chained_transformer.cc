#include "media/chained_transformer.h"

namespace nlw {

void ChainedTransformer::SetNext(rtc::scoped_refptr<webrtc::FrameTransformerInterface> next) {
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback;
  std::map<uint32_t, rtc::scoped_refptr<webrtc::TransformedFrameCallback>> sinks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = next;
    if (!callbacks_.empty()) callback = callbacks_.back();
    sinks = sinks_;
  }
  if (!next) return;
  if (callback) next->RegisterTransformedFrameCallback(callback);
  for (auto& [ssrc, sink] : sinks) next->RegisterTransformedFrameSinkCallback(sink, ssrc);
}

void ChainedTransformer::RegisterTransformedFrameCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback) {
  rtc::scoped_refptr<webrtc::FrameTransformerInterface> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    callbacks_.push_back(callback);
    next = next_;
  }
  if (next) next->RegisterTransformedFrameCallback(callback);
}

void ChainedTransformer::RegisterTransformedFrameSinkCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback,
                                                              uint32_t ssrc) {
  rtc::scoped_refptr<webrtc::FrameTransformerInterface> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sinks_[ssrc] = callback;
    next = next_;
  }
  if (next) next->RegisterTransformedFrameSinkCallback(callback, ssrc);
}

void ChainedTransformer::UnregisterTransformedFrameCallback() {
  rtc::scoped_refptr<webrtc::FrameTransformerInterface> next;
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> newest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!callbacks_.empty()) callbacks_.pop_front();
    if (!callbacks_.empty()) newest = callbacks_.back();
    next = next_;
  }
  if (!next) return;
  // The chained transform keeps one callback: the newest stream's, or none.
  if (newest) next->RegisterTransformedFrameCallback(newest);
  else next->UnregisterTransformedFrameCallback();
}

void ChainedTransformer::UnregisterTransformedFrameSinkCallback(uint32_t ssrc) {
  rtc::scoped_refptr<webrtc::FrameTransformerInterface> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sinks_.erase(ssrc);
    next = next_;
  }
  if (next) next->UnregisterTransformedFrameSinkCallback(ssrc);
}

void ChainedTransformer::Pass(std::unique_ptr<webrtc::TransformableFrameInterface> frame) {
  rtc::scoped_refptr<webrtc::FrameTransformerInterface> next;
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next = next_;
    if (!next) {
      auto it = sinks_.find(frame->GetSsrc());
      if (it != sinks_.end()) callback = it->second;
      else if (!callbacks_.empty()) callback = callbacks_.back();
    }
  }
  if (next) next->Transform(std::move(frame));
  else if (callback) callback->OnTransformedFrame(std::move(frame));
}

}  // namespace nlw
