// libwebrtc M108 takes one frame transformer per audio sender or receiver: a second one given to a
// sender aborts (ChannelSend DCHECKs that it has none), a second one given to a receiver is
// ignored. The relay puts its own hooks there (media/relay_audio_source.h,
// media/audio_forward_route.h) and webrtc-encoded-transform puts the application's. This registry
// says who holds each slot, so that the application's transform set after ours is chained behind
// ours (ChainableHook::SetNext) instead of replacing it, and ours is not put where the
// application's already is.
#pragma once

#include "api/frame_transformer_interface.h"
#include "api/scoped_refptr.h"

namespace nlw {

// A transformer of ours that can hand each frame to a further transformer before libwebrtc.
class ChainableHook {
 public:
  // Any thread. `next` gets every frame after this hook, and returns it to libwebrtc's callback.
  virtual void SetNext(rtc::scoped_refptr<webrtc::FrameTransformerInterface> next) = 0;

 protected:
  ~ChainableHook() = default;
};

class TransformerSlots {
 public:
  // Any thread. `key`: the sender or receiver (its proxy's address). False if the slot is
  // taken; else it is ours until ReleaseHook (the hook's destructor: it lives as long as the
  // sender or receiver that holds it).
  static bool ClaimForHook(const void* key, ChainableHook* hook);
  static void ReleaseHook(const void* key, ChainableHook* hook);
  // Any thread: the application's transform for `key`. Returns our hook if the slot is ours (the
  // caller chains `transformer` behind it), else null (the caller installs it; the slot is then
  // marked taken). Each claim is released once, when the transformer that made it is destroyed
  // (libwebrtc drops it with the sender or receiver).
  static ChainableHook* ClaimForApplication(const void* key);
  static void ReleaseApplication(const void* key);
  // Slots held now (nonstandard.liveObjects().transformerSlots).
  static size_t Count();
  // Any thread: the application's transform went straight into `key` (no hook of ours there).
  static bool HeldByApplication(const void* key);
  // Any thread: the application has a transform on `key`, straight or chained behind ours.
  static bool ClaimedByApplication(const void* key);
};

}  // namespace nlw
