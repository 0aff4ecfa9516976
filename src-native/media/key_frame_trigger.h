// generateKeyFrame() (webrtc-encoded-transform) on a video sender: a request for key frames that
// the sender's encoder (media/forwarding_video_encoder.h) takes before each picture it encodes.
//
// libwebrtc M108 has no key-frame request from a sender's transformer to its encoder. The sender's
// transformer does learn which encoder feeds it: libwebrtc hands each encoded picture to the
// transformer synchronously, inside the encoder's EncodedImageCallback, on the encoder's queue
// (VideoStreamEncoder -> VideoSendStream -> RtpVideoSender -> RTPSenderVideo -> frame transformer
// delegate -> Transform). The encoder wrapper marks that call with an EmittingEncoder scope (which
// trigger, which simulcast layer); the transformer reads it on the same thread. This holds however
// task queues are mapped onto threads (runtime/shared_task_queues.h), and per layer under
// simulcast (one encoder wrapper per sender; the layer is the picture's simulcast index).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace nlw {

class KeyFrameTrigger {
 public:
  static constexpr int kAllLayers = -1;
  static constexpr int kMaxLayers = 32;

  // Any thread: the next pictures of simulcast layer `layer` (kAllLayers: of every layer) are
  // encoded as key frames until one of them has been delivered. Requests coalesce.
  void Request(int layer);
  // The encoder's queue, before each picture: the layers still waiting for a key frame (bit i:
  // layer i); requests for layers beyond `layers` are dropped.
  uint32_t Pending(int layers);
  // The encoder's queue: a key frame of `layer` has been delivered.
  void Delivered(int layer);
  // The simulcast layers the encoder makes (libwebrtc encodes fewer than the sender's encodings
  // for small pictures); 0 before it is configured.
  void SetLayers(int layers) { layers_.store(layers, std::memory_order_release); }
  int layers() const { return layers_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint32_t> pending_{0};
  std::atomic<int> layers_{0};
};

// Marks, on the current thread, the delivery of one encoded picture by an encoder.
class EmittingEncoder {
 public:
  struct Current {
    const std::shared_ptr<KeyFrameTrigger>* trigger;  // null outside a delivery
    int layer;
  };
  EmittingEncoder(const std::shared_ptr<KeyFrameTrigger>& trigger, int layer);
  ~EmittingEncoder();
  EmittingEncoder(const EmittingEncoder&) = delete;
  EmittingEncoder& operator=(const EmittingEncoder&) = delete;

  // The delivery in progress on this thread (the innermost one).
  static Current Get();

 private:
  Current previous_;
};

}  // namespace nlw
