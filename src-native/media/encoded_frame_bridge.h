// webrtc-encoded-transform's hook on one sender or receiver: libwebrtc hands each encoded frame to
// Transform() on its own thread; the bridge passes it to the JS thread that reads the transform's
// readable (the main thread, or the Worker of an RTCRtpScriptTransform), and JS hands it back with
// Return(), which gives it to libwebrtc's callback for the frame's SSRC (packetizer or decoder).
// Frames that arrive before a JS side is attached wait (at most kMaxWaiting, oldest dropped): a
// transform set for encryption must never let a frame through untransformed.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/frame_transformer_interface.h"
#include "api/media_stream_interface.h"
#include "api/rtp_transceiver_interface.h"
#include "api/scoped_refptr.h"
#include "media/key_frame_trigger.h"

namespace nlw {

// The JS side of a bridge: receives frames on a libwebrtc thread, delivers them on its JS thread.
class EncodedFrameReceiver {
 public:
  virtual ~EncodedFrameReceiver() = default;
  virtual void OnEncodedFrame(std::unique_ptr<webrtc::TransformableFrameInterface> frame) = 0;
  // Any thread: no frame will come any more (the transform was unset, or its connection closed).
  virtual void OnBridgeClosed() {}
};

// A transceiver as its JS wrapper holds it: emptied when the wrapper lets it go (connection closed,
// collected), so that a bridge (which the sender holds) does not keep the transceiver alive.
struct TransceiverLink {
  std::mutex mu;
  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver;  // under mu
};

class EncodedFrameBridge : public webrtc::FrameTransformerInterface {
 public:
  enum class KeyFrameResult { kRequested, kNotSending, kUnknownRid };

  static constexpr size_t kMaxWaiting = 120;

  // webrtc-encoded-transform makes the transformer before it is given to a sender or receiver:
  // what the bridge serves is known from Install() on.
  void SetUse(bool video, bool sender) {
    video_ = video;
    sender_ = sender;
    installed_ = true;
  }
  bool installed() const { return installed_; }
  bool video() const { return video_; }
  bool sender() const { return sender_; }

  // Any thread. Attaching replaces the previous receiver and hands it the frames that waited.
  void Attach(std::shared_ptr<EncodedFrameReceiver> receiver);
  void Detach(const EncodedFrameReceiver* receiver);
  // Any thread: the frame goes on to libwebrtc (the callback registered for its SSRC).
  void Return(std::unique_ptr<webrtc::TransformableFrameInterface> frame);
  // After `transform = null`, or its connection closed: frames go straight back (libwebrtc M108
  // cannot take a null transformer on every path, so the installed bridge stays and stops
  // transforming), and the receiver, attached now or later, is told it is closed.
  void SetPassThrough(bool on);
  // A receiver's track source, for sendKeyFrameRequest(); null on senders.
  void SetKeyFrameSource(rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source);
  // Any thread (a blocking hop to the source's thread through its proxy). False without a source.
  bool RequestKeyFrame();

  // A sender's transceiver, for generateKeyFrame().
  void SetTransceiver(std::shared_ptr<TransceiverLink> link);
  // The sender or receiver whose transformer slot (media/transformer_slots.h) this bridge claimed:
  // released when libwebrtc lets the bridge go.
  void SetSlotKey(const void* key);
  // generateKeyFrame(rid) of a video sender's transformer, any thread but libwebrtc's (blocking
  // hops to the signaling thread through the transceiver's proxy): the encoder feeding this
  // transformer encodes the layer of `rid` (null: every layer) as a key frame next. kNotSending
  // when the transform was unset, the transceiver stopped, negotiated not to send, without a
  // track or the layer inactive; kUnknownRid when no encoding has that rid, or
  // the encoder makes no layer for it (libwebrtc encodes fewer layers for small pictures). `layer`: the layer
  // asked for (KeyFrameTrigger::kAllLayers without a rid).
  KeyFrameResult GenerateKeyFrame(const std::string* rid, int* layer);
  // The simulcast layer whose frames carry `ssrc` (sent video), -1 when not known.
  int LayerOf(uint32_t ssrc);

  // webrtc::FrameTransformerInterface (libwebrtc threads)
  void Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) override;
  void RegisterTransformedFrameCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback) override;
  void RegisterTransformedFrameSinkCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback,
                                            uint32_t ssrc) override;
  void UnregisterTransformedFrameCallback() override;
  void UnregisterTransformedFrameSinkCallback(uint32_t ssrc) override;

 protected:
  ~EncodedFrameBridge() override;

 private:
  std::atomic<bool> video_{false};
  std::atomic<bool> sender_{false};
  std::atomic<bool> installed_{false};
  std::mutex mu_;
  std::shared_ptr<EncodedFrameReceiver> receiver_;                                    // under mu_
  std::deque<std::unique_ptr<webrtc::TransformableFrameInterface>> waiting_;         // under mu_
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback_;                     // under mu_
  std::map<uint32_t, rtc::scoped_refptr<webrtc::TransformedFrameCallback>> sinks_;   // under mu_
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> key_frame_source_;            // under mu_
  bool pass_through_ = false;                                                         // under mu_
  // Sent video: the encoder that feeds this bridge (learnt from the frames), the simulcast layer of
  // each SSRC, and the layers asked for before an encoder was known.
  std::weak_ptr<KeyFrameTrigger> trigger_;                                            // under mu_
  std::map<uint32_t, int> layers_;                                                    // under mu_
  std::vector<int> early_requests_;                                                   // under mu_
  std::shared_ptr<TransceiverLink> transceiver_;                                      // under mu_
  const void* slot_key_ = nullptr;                                                    // under mu_
};

// Process-wide: bridges by id (so another thread's environment can attach to one), and the
// transforms offered to a thread (by worker_threads threadId) until its environment listens.
class EncodedTransformRegistry {
 public:
  struct Offer {
    uint64_t bridge_id;
    std::vector<uint8_t> options;  // v8.serialize() of the transform's options
  };
  // Delivers offers on the listening environment's JS thread.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void OnOffer(Offer offer) = 0;  // any thread
  };

  static uint64_t Add(rtc::scoped_refptr<EncodedFrameBridge> bridge);
  static rtc::scoped_refptr<EncodedFrameBridge> Find(uint64_t id);
  static void Remove(uint64_t id);
  // An offer to a thread nobody listens on yet waits (at most 64 per thread).
  static void OfferTo(int thread_id, Offer offer);
  static void Listen(int thread_id, std::weak_ptr<Listener> listener);
  static void Unlisten(int thread_id, const Listener* listener);
};

}  // namespace nlw
