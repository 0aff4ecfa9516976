// The source behind a remote video track sent on to other connections (the relay): one per remote
// track, shared by every sender that sends it, on any shard. It takes the publisher's encoded
// pictures from the remote source (VideoTrackSourceInterface::AddEncodedSink, on the receive
// stream's decode queue) and hands each to its sinks as a frame whose buffer carries the encoded
// picture (media/encoded_frame_buffer.h); a sender's encoder forwards it unchanged
// (media/forwarding_video_encoder.h) or, when it cannot (another codec, a smaller size), encodes
// the latest decoded picture, which this source also keeps (a plain sink on the remote track).
//
// A publisher whose SDP signals no SSRC (rid-based simulcast offers: Chromium's, ours) is received
// on M108's unsignaled default stream, which exists only from the first packet on and is made anew
// when the SSRC changes; M108 drops an encoded sink set before ("Absent receive stream") and does not
// carry one over. A watch on the home thread re-subscribes when the track's pictures arrive and no
// encoded picture does (media/decode_gate.h counts them), then asks for a keyframe.
//
// A simulcast publisher received with one stream per layer (media/simulcast_layers.h): the source
// takes every layer's encoded pictures from there instead, each emitted as a frame of its own that
// names its layer; each sender's encoder forwards one layer (media/forwarding_video_encoder.h).
//
// Nothing is emitted before the first keyframe. Keyframe requests of all senders are coalesced
// into at most one GenerateKeyFrame() upstream per 300 ms, posted to the publisher's thread (the
// senders' encoder queues must never wait for it: that thread waits for them when it stops a
// send stream).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "api/media_stream_interface.h"
#include "api/video/recordable_encoded_frame.h"
#include "media/base/video_broadcaster.h"
#include "media/decode_gate.h"
#include "media/encoded_frame_buffer.h"
#include "media/simulcast_layers.h"
#include "rtc_base/thread.h"

namespace nlw {

// Not a webrtc::Notifier: its observer list is bound to one thread, and this source serves the
// tracks of every shard. Its state never changes, so observers are not kept.
class RelayVideoSource : public webrtc::VideoTrackSourceInterface, public EncodedFrameOrigin {
 public:
  // JS thread. `from`: a remote video track (proxy); `home`: its connection's signaling/worker
  // thread. Subscribes at once (blocking hops to `home`) and asks the publisher for a keyframe.
  static rtc::scoped_refptr<RelayVideoSource> Create(rtc::scoped_refptr<webrtc::VideoTrackInterface> from,
                                                     rtc::Thread* home);
  // JS thread. Unsubscribes (blocking hops); the source stays valid but emits nothing more.
  void Detach();

  // EncodedFrameOrigin
  void RequestKeyFrame() override;
  rtc::scoped_refptr<webrtc::I420BufferInterface> LatestPicture() override;
  bool Recent(uint32_t layer, uint64_t sequence, RelayedPicture* out) override;
  std::vector<RelayedLayer> Layers() override;
  void RequestLayerKeyFrame(uint32_t layer) override;

  // VideoTrackSourceInterface
  void RegisterObserver(webrtc::ObserverInterface*) override {}
  void UnregisterObserver(webrtc::ObserverInterface*) override {}
  SourceState state() const override { return kLive; }
  bool remote() const override { return false; }
  bool is_screencast() const override { return false; }
  absl::optional<bool> needs_denoising() const override { return false; }
  bool GetStats(Stats*) override { return false; }
  bool SupportsEncodedOutput() const override { return false; }
  void GenerateKeyFrame() override { RequestKeyFrame(); }
  void AddEncodedSink(rtc::VideoSinkInterface<webrtc::RecordableEncodedFrame>*) override {}
  void RemoveEncodedSink(rtc::VideoSinkInterface<webrtc::RecordableEncodedFrame>*) override {}
  void AddOrUpdateSink(rtc::VideoSinkInterface<webrtc::VideoFrame>* sink, const rtc::VideoSinkWants& wants) override {
    broadcaster_.AddOrUpdateSink(sink, wants);
  }
  void RemoveSink(rtc::VideoSinkInterface<webrtc::VideoFrame>* sink) override { broadcaster_.RemoveSink(sink); }

  // Re-subscriptions to the remote source's encoded pictures so far (all relay sources).
  static uint64_t resubscribes();
  // Upstream keyframe requests made so far (all senders together).
  static uint64_t keyframe_requests();
  // Pictures the relay sources emitted so far (once per picture, whatever the number of senders).
  static uint64_t relayed_pictures();
  // Relay sources alive in the process.
  static uint64_t live();
  // Pictures of simulcast layers the relay sources took (every layer, media/simulcast_layers.h).
  static uint64_t layer_pictures();

  // One reference count for both bases (rtc::make_ref_counted implements them).
  void AddRef() const override = 0;
  rtc::RefCountReleaseStatus Release() const override = 0;

  RelayVideoSource(rtc::scoped_refptr<webrtc::VideoTrackInterface> from, rtc::Thread* home);

 protected:
  ~RelayVideoSource() override;

 private:
  struct EncodedSink : rtc::VideoSinkInterface<webrtc::RecordableEncodedFrame> {
    RelayVideoSource* owner;
    void OnFrame(const webrtc::RecordableEncodedFrame& frame) override { owner->OnEncoded(frame); }
  };
  struct PictureSink : rtc::VideoSinkInterface<webrtc::VideoFrame> {
    RelayVideoSource* owner;
    void OnFrame(const webrtc::VideoFrame& frame) override { owner->OnDecoded(frame); }
  };

  struct LayerSink : SimulcastLayers::Listener {
    RelayVideoSource* owner;
    void OnLayerFrame(uint32_t ssrc, const webrtc::RecordableEncodedFrame& frame) override {
      owner->OnLayer(ssrc, frame);
    }
  };
  // The publisher's layers, once they have streams of their own (any thread; true if attached).
  bool AttachLayers();
  void OnLayer(uint32_t ssrc, const webrtc::RecordableEncodedFrame& frame);  // decode queues, one at a time
  void Emit(RelayedPicture picture);  // the calling decode queue
  void OnEncoded(const webrtc::RecordableEncodedFrame& frame);  // decode queue
  void OnDecoded(const webrtc::VideoFrame& frame);              // decode queue
  void GenerateUpstream();                                      // home thread

  // The watch: every kWatchIntervalMs on the home thread, while not detached. Holds no reference:
  // Detach and the destructor clear `owner` under its lock.
  struct Watch {
    std::mutex mu;
    RelayVideoSource* owner = nullptr;  // under mu
  };
  static void ScheduleWatch(std::shared_ptr<Watch> watch, rtc::Thread* home);
  void CheckEncodedSink();  // home thread, under the watch's lock
  std::shared_ptr<Watch> watch_ = std::make_shared<Watch>();
  std::atomic<uint64_t> encoded_count_{0};  // OnEncoded calls
  uint64_t watched_encoded_ = 0;            // home thread: encoded_count_ at the last check
  uint64_t watched_pictures_ = 0;           // home thread: the gate's pictures() at the last check

  rtc::Thread* const home_;
  EncodedSink encoded_sink_;
  PictureSink picture_sink_;
  LayerSink layer_sink_;
  std::atomic<bool> simulcast_{false};
  rtc::scoped_refptr<SimulcastLayers> layers_;  // under mu_
  // OnLayer only (one call at a time): each layer's state, by SSRC; the largest size seen.
  struct LayerState {
    bool seen_key = false;
    int width = 0, height = 0;
    uint64_t sequence = 0;
    H264StreamProfile h264;
  };
  std::map<uint32_t, LayerState> layer_state_;
  int stream_width_ = 0, stream_height_ = 0;
  std::mutex layer_request_mu_;
  std::map<uint32_t, int64_t> layer_request_ms_;  // under layer_request_mu_
  rtc::VideoBroadcaster broadcaster_;  // thread-safe
  // The last kRecentPictures pictures emitted, by sequence % kRecentPictures (Recent()).
  std::mutex recent_mu_;
  // Per layer (0: no simulcast).
  std::map<uint32_t, std::array<RelayedPicture, kRecentPictures>> recent_;  // under recent_mu_

  std::mutex mu_;
  rtc::scoped_refptr<webrtc::VideoTrackInterface> from_;          // null once detached; under mu_
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> from_source_;  // under mu_
  rtc::scoped_refptr<webrtc::I420BufferInterface> latest_;        // under mu_

  // Decode queue only.
  bool seen_key_ = false;
  int width_ = 0, height_ = 0;
  uint64_t sequence_ = 0;
  int64_t last_timestamp_us_ = 0;
  H264StreamProfile h264_;

  std::atomic<int64_t> last_request_ms_{-1000000};

  // Pictures are decoded only while an encoder asks for them (LatestPicture: a sender that cannot
  // forward); the demand ends 2 s after the last ask (media/decode_gate.h).
  void StopDemandIfIdle();  // decode queue
  rtc::scoped_refptr<DecodeGate> gate_;  // set in Create
  std::atomic<bool> demanding_{false};
  std::atomic<int64_t> last_picture_ask_ms_{0};
};

}  // namespace nlw
