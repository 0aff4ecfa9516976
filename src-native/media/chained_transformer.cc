#include "media/chained_transformer.h"

namespace nlw {

void ChainedTransformer::SetNext(rtc::scoped_refptr<webrtc::FrameTransformerInterface> next) {
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback;
  std::map<uint32_t, rtc::scoped_refptr<webrtc::TransformedFrameCallback>> sinks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    next_ = next;
    callback = callback_;
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
    callback_ = callback;
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
  {
    std::lock_guard<std::mutex> lock(mu_);
    callback_ = nullptr;
    next = next_;
  }
  if (next) next->UnregisterTransformedFrameCallback();
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
      callback = it != sinks_.end() ? it->second : callback_;
    }
  }
  if (next) next->Transform(std::move(frame));
  else if (callback) callback->OnTransformedFrame(std::move(frame));
}

}  // namespace nlw
