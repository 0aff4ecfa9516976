// Receiving a simulcast publisher's layers, one receive stream each (issue 17, "Bandwidth"; the
// non-standard `receiveSimulcast` option, lib/simulcast_answer.ts). libwebrtc M108 receives a
// rid-based simulcast offer on one unsignaled default stream, which it makes anew for every unknown
// SSRC (so the picture hops between layers). With an answer that accepted the layers, this watcher
// (one per receiving video transceiver, on its connection's one thread: signaling = worker) takes
// each SSRC the default stream shows (WebRtcVideoChannel::GetDefaultReceiveStreamSsrc) and signals
// it (AddRecvStream: M108 replaces the default stream of that SSRC with a signaled one); the next
// unknown SSRC then gets the default stream, and so on until every layer has a stream of its own.
// Each layer's encoded pictures come through SetRecordableEncodedFrameCallback; a layer's size is
// its keyframes' resolution, and the layers are ordered by it (rank 0: the smallest). The track's
// own sink (its VideoRtpTrackSource) is moved to the largest layer's stream, so the track shows
// that layer's pictures. The other layers' streams get a decode gate of their own instead
// (media/decode_gate.h), never opened while the layer is not the largest: their decoders decode
// keyframes only (the relay forwards their encoded pictures; nobody looks at their pixels). The
// answer negotiates no RTX for such a section (lib/simulcast_answer.ts: M108 cannot tell which layer
// an RTX stream repairs), so a layer's lost packets are retransmitted on its own SSRC.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "api/media_stream_interface.h"
#include "api/rtp_transceiver_interface.h"
#include "api/scoped_refptr.h"
#include "api/video/recordable_encoded_frame.h"
#include "media/decode_gate.h"
#include "rtc_base/ref_count.h"
#include "rtc_base/thread.h"

namespace webrtc { class PeerConnectionInternal; }

namespace nlw {

class SimulcastLayers : public rtc::RefCountInterface {
 public:
  // Gets each layer's encoded pictures (the layer's receive stream's decode queue).
  class Listener {
   public:
    virtual void OnLayerFrame(uint32_t ssrc, const webrtc::RecordableEncodedFrame& frame) = 0;
   protected:
    virtual ~Listener() = default;
  };

  // The connection's thread, after a description was applied: starts a watcher for each receiving
  // video transceiver whose local description accepted simulcast (a=simulcast:recv), once.
  static void Update(webrtc::PeerConnectionInternal* pc);
  // The connection's thread, as the connection closes: its watchers let go of their transceivers
  // and end. (A watcher's next poll is a task queued on that thread; when the runtime deletes the
  // threads, such a task dies on the deleting thread, and a transceiver proxy released there
  // would wait forever for the dead thread: the process hung at exit.)
  static void Forget(webrtc::PeerConnectionInternal* pc);
  // Any thread: the watcher of the remote video track whose source is `source`, or null.
  static rtc::scoped_refptr<SimulcastLayers> Find(const webrtc::VideoTrackSourceInterface* source);
  // Watchers alive in the process (nonstandard.liveObjects()).
  static uint64_t live();

  // Any thread. One listener at a time (the relay's source); null removes it. After a removal
  // returns, the listener is not called again.
  void SetListener(Listener* listener);
  // Any thread. Asks the publisher for a keyframe of the layer with this SSRC (posted to the
  // connection's thread).
  void RequestKeyFrame(uint32_t ssrc);

  struct Layer {
    uint32_t ssrc = 0;
    int width = 0, height = 0;  // its last keyframe's size (0: none yet)
    double bitrate_bps = 0;     // received over the last second or so
    uint64_t frames = 0;        // encoded pictures received
  };
  // Any thread: the layers signaled so far, smallest first (layers without a known size first).
  std::vector<Layer> Layers() const;
  // Any thread: `ssrc`'s rank among Layers() and their number; false if not one of them.
  bool Rank(uint32_t ssrc, int* rank, int* count) const;
  // How many layers the answer accepted.
  int expected() const { return expected_; }

  SimulcastLayers(rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver, rtc::Thread* home, int expected,
                  const webrtc::PeerConnectionInternal* pc);

  // Counted here rather than by rtc::RefCountedObject: Find needs to take a reference only while
  // another is still held (TryAddRef).
  void AddRef() const override;
  rtc::RefCountReleaseStatus Release() const override;

 private:
  ~SimulcastLayers() override;
  // A new reference unless the count already reached zero (the destructor is then on its way to
  // take the registry entry out: a reference taken now would outlive the object).
  bool TryAddRef() const;

  struct LayerState {
    Layer layer;
    rtc::scoped_refptr<DecodeGate> gate;  // the sink of its stream while it is not the largest
    int64_t window_start_ms = 0;
    uint64_t window_bytes = 0;
  };
  void Poll();                          // the connection's thread
  void OnFrame(uint32_t ssrc, const webrtc::RecordableEncodedFrame& frame);  // decode queues
  void BindTrackSink();                 // the connection's thread
  static void Schedule(rtc::scoped_refptr<SimulcastLayers> self, int delay_ms);

  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver_;  // the connection's thread; null once forgotten
  rtc::Thread* const home_;
  const webrtc::PeerConnectionInternal* const pc_;  // only compared (Forget)
  const int expected_;
  const webrtc::VideoTrackSourceInterface* key_;  // the remote track's source (registry key)

  mutable std::atomic<int> refs_{0};
  mutable std::mutex mu_;
  std::vector<LayerState> layers_;  // under mu_
  Listener* listener_ = nullptr;    // under listener_mu_
  mutable std::mutex listener_mu_;

  // The connection's thread.
  uint32_t sink_ssrc_ = 0;  // the layer the track's sink is bound to (0: not yet)
  int64_t first_signaled_ms_ = 0;
  size_t bound_layers_ = 0;  // the layers whose sinks were set
  bool ended_ = false;
};

}  // namespace nlw
