// The JS end of encoded transforms (lib/encoded_transform.ts: RTCRtpScriptTransform,
// RTCRtpScriptTransformer, RTCEncodedVideoFrame/AudioFrame, createEncodedStreams()).
//   NativeEncodedStreams(bridgeId, onFrames): attaches this environment to a bridge; frames arrive
//     in batches as an array of externals (one per frame) and go back with returnFrame().
//   NativeTransformListener(threadId, onOffer): this environment's inbox for RTCRtpScriptTransforms
//     made for it on another thread (onOffer(bridgeId, serializedOptions)).
//   Static helpers work on bridge ids and frame externals from any environment.
#pragma once

#include <napi.h>

#include <deque>
#include <memory>
#include <mutex>

#include "bridge/link.h"
#include "media/encoded_frame_bridge.h"
#include "runtime/runtime.h"

namespace nlw {

class EncodedStreams;
class TransformListener;

class EncodedStreamsCore : public EncodedFrameReceiver, public std::enable_shared_from_this<EncodedStreamsCore> {
 public:
  EncodedStreamsCore(std::shared_ptr<Dispatcher> dispatcher, rtc::scoped_refptr<EncodedFrameBridge> bridge)
      : dispatcher_(std::move(dispatcher)), bridge_(std::move(bridge)),
        link_(std::make_shared<Link<EncodedStreams>>()) {}
  void OnEncodedFrame(std::unique_ptr<webrtc::TransformableFrameInterface> frame) override;  // any thread
  void OnBridgeClosed() override;  // any thread: the JS side lets go of its streams
  const LinkPtr<EncodedStreams>& link() const { return link_; }
  const rtc::scoped_refptr<EncodedFrameBridge>& bridge() const { return bridge_; }

 private:
  void Deliver(Napi::Env env);  // JS thread

  std::shared_ptr<Dispatcher> dispatcher_;
  rtc::scoped_refptr<EncodedFrameBridge> bridge_;
  LinkPtr<EncodedStreams> link_;
  std::mutex mu_;
  std::deque<std::unique_ptr<webrtc::TransformableFrameInterface>> queue_;  // under mu_
  bool posted_ = false;                                                     // under mu_
};

class EncodedStreams : public Napi::ObjectWrap<EncodedStreams>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);  // JS class "NativeEncodedStreams"
  explicit EncodedStreams(const Napi::CallbackInfo& info);
  ~EncodedStreams() override;
  void ReleaseNative() override;
  void Emit(Napi::Value frames);

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  // statics
  static Napi::Value CreateBridge(const Napi::CallbackInfo& info);   // () -> id
  static Napi::Value BridgeInfo(const Napi::CallbackInfo& info);     // (id) -> {kind, side} | null
  static Napi::Value ReleaseBridge(const Napi::CallbackInfo& info);  // (id)
  static Napi::Value Install(const Napi::CallbackInfo& info);        // (transceiver, side, id)
  static Napi::Value PassThrough(const Napi::CallbackInfo& info);    // (id)
  static Napi::Value RequestKeyFrame(const Napi::CallbackInfo& info);
  static Napi::Value GenerateKeyFrame(const Napi::CallbackInfo& info);  // (id) -> bool
  static Napi::Value Offer(const Napi::CallbackInfo& info);          // (threadId, id, options)
  static Napi::Value FrameData(const Napi::CallbackInfo& info);      // (frame) -> ArrayBuffer
  static Napi::Value SetFrameData(const Napi::CallbackInfo& info);   // (frame, bytes)
  static Napi::Value FrameInfo(const Napi::CallbackInfo& info);      // (frame) -> object
  static Napi::Value ReturnFrame(const Napi::CallbackInfo& info);    // (frame) -> bool

  std::shared_ptr<Runtime> runtime_;
  std::shared_ptr<EncodedStreamsCore> core_;
  Napi::FunctionReference on_frames_;
};

class TransformListener : public Napi::ObjectWrap<TransformListener>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);  // JS class "NativeTransformListener"
  explicit TransformListener(const Napi::CallbackInfo& info);
  ~TransformListener() override;
  void ReleaseNative() override;
  void Emit(std::initializer_list<napi_value> args);

 private:
  class Inbox;
  Napi::Value Close(const Napi::CallbackInfo& info);
  // keepAlive(bool): a Worker that listens for rtctransform stays alive, as a browser's does.
  Napi::Value KeepAlive(const Napi::CallbackInfo& info);
  std::shared_ptr<Runtime> runtime_;
  std::shared_ptr<Inbox> inbox_;
  bool kept_alive_ = false;
  int thread_id_ = 0;
  Napi::FunctionReference on_offer_;
};

}  // namespace nlw
