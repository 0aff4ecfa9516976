// The base of the relay's own frame transformers (media/relay_audio_source.h,
// media/audio_forward_route.h): keeps libwebrtc's callbacks and hands each frame, once looked at,
// to the application's transform chained behind it (media/transformer_slots.h), or straight back.
//
// One transformer may serve several receive streams in turn: the relay's receive tap is also the
// voice channel's transformer for streams made later (an SSRC change, media/relay_audio_source.h).
// M108's streams register a callback each without saying which stream they are, and unregister
// in the order they were made (a stream replaced by a signaled one goes first; unsignaled ones
// go oldest first). So the callbacks are kept in that order, frames go to the newest, and an
// unregistration drops the oldest.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>

#include "api/frame_transformer_interface.h"
#include "media/transformer_slots.h"

namespace nlw {

class ChainedTransformer : public webrtc::FrameTransformerInterface, public ChainableHook {
 public:
  // ChainableHook
  void SetNext(rtc::scoped_refptr<webrtc::FrameTransformerInterface> next) override;

  // webrtc::FrameTransformerInterface (libwebrtc threads)
  void RegisterTransformedFrameCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback) override;
  void RegisterTransformedFrameSinkCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback,
                                            uint32_t ssrc) override;
  void UnregisterTransformedFrameCallback() override;
  void UnregisterTransformedFrameSinkCallback(uint32_t ssrc) override;

 protected:
  // The frame goes on: to the chained transform, else to libwebrtc.
  void Pass(std::unique_ptr<webrtc::TransformableFrameInterface> frame);

 private:
  std::mutex mu_;
  rtc::scoped_refptr<webrtc::FrameTransformerInterface> next_;                       // under mu_
  std::deque<rtc::scoped_refptr<webrtc::TransformedFrameCallback>> callbacks_;       // under mu_, oldest first
  std::map<uint32_t, rtc::scoped_refptr<webrtc::TransformedFrameCallback>> sinks_;   // under mu_
};

}  // namespace nlw
